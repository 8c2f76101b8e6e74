/**
 * The soundness invariants of the framekernel, attacked through OSTD's public API on the
 * real board. Each test tries to break one invariant and checks that OSTD refuses.
 */
import {
  ktest,
  assert, assertEqual, DmaCoherent, DmaDirection, DmaStream, ErrorCode, FifoScheduler, injectFrameAllocator,
  injectScheduler, IoMem, IoPort, PageFlags, PAGE_SIZE, PciFunction, policyViolationCount, Segment, Task,
  TaskState, UntypedFrame, unwrap, VmSpace, WaitQueue, yieldNow, BitmapFrameAllocator, type FrameAllocator,
} from "../src/index.ts";

const LOCAL_APIC = 0xfee0_0000;
const IO_APIC = 0xfec0_0000;

function refusal(result: { ok: boolean; error?: { code: string } }): string {
  return result.ok ? "granted" : (result.error?.code ?? "?");
}

ktest("a fresh frame always comes from unused memory, whatever the allocator says", () => {
  const inUse = unwrap(UntypedFrame.alloc());
  const pageTableHolder = unwrap(VmSpace.create());
  const answers = [inUse.paddr / PAGE_SIZE, 0, 1, 0x7fff_ffff];
  const buggy: FrameAllocator = { addFree: () => undefined, alloc: () => answers.shift(), dealloc: () => undefined };
  const before = policyViolationCount();
  injectFrameAllocator(buggy);
  for (let i = 0; i < 4; i++) assertEqual(refusal(UntypedFrame.alloc()), ErrorCode.PolicyViolation, `answer ${String(i)}`);
  injectFrameAllocator(new BitmapFrameAllocator());
  assertEqual(policyViolationCount(), before + 4, "violations logged");
  assertEqual(inUse.refCount, 1, "the frame in use is untouched");
  inUse.release();
  pageTableHolder.destroy();
});

ktest("a frame is never reused while still mapped", () => {
  const space = unwrap(VmSpace.create());
  const frame = unwrap(UntypedFrame.alloc());
  const paddr = frame.paddr;
  unwrap(unwrap(space.cursor(0x1000, 0x2000)).map(frame, PageFlags.Read | PageFlags.Write));
  frame.release();
  const freed: number[] = [];
  const inner = new BitmapFrameAllocator();
  injectFrameAllocator({
    addFree: (start, count) => { inner.addFree(start, count); },
    alloc: (count) => inner.alloc(count),
    dealloc: (start, count) => { freed.push(start * PAGE_SIZE); inner.dealloc(start, count); },
  });
  assert(!freed.includes(paddr), "released while mapped");
  unwrap(unwrap(space.cursor(0x1000, 0x2000)).unmap(PAGE_SIZE));
  assert(freed.includes(paddr), "freed after unmap");
  injectFrameAllocator(new BitmapFrameAllocator());
  space.destroy();
});

ktest("sensitive I/O ranges cannot be acquired", () => {
  assertEqual(refusal(IoMem.acquire(LOCAL_APIC, 0x1000)), ErrorCode.AccessDenied, "local APIC");
  assertEqual(refusal(IoMem.acquire(IO_APIC, 0x20)), ErrorCode.AccessDenied, "I/O APIC");
  assertEqual(refusal(IoMem.acquire(0, PAGE_SIZE)), ErrorCode.AccessDenied, "RAM");
  assertEqual(refusal(IoMem.acquire(0x1000, 64)), ErrorCode.AccessDenied, "boot information");
  assertEqual(refusal(IoPort.acquire(0xcf8, 4)), ErrorCode.AccessDenied, "PCI config address");
  assertEqual(refusal(IoPort.acquire(0xcfc, 4)), ErrorCode.AccessDenied, "PCI config data");
  assertEqual(refusal(IoPort.acquire(0x604, 4)), ErrorCode.AccessDenied, "power-off");
  assertEqual(refusal(IoPort.acquire(0x20, 2)), ErrorCode.AccessDenied, "legacy PIC");
  assert(IoPort.acquire(0x3f8, 8).ok, "COM1 is an ordinary device");
});

ktest("PCI BARs cannot be moved over kernel memory", () => {
  const devices = PciFunction.enumerate();
  assert(devices.length > 0, "the board has PCI devices");
  for (const device of devices) {
    assertEqual(refusal(device.configWrite(0x10, 4, LOCAL_APIC)), ErrorCode.AccessDenied, "BAR0");
    assertEqual(refusal(device.configWrite(0x30, 4, 0)), ErrorCode.AccessDenied, "ROM");
  }
});

ktest("DMA reaches untyped frames only", () => {
  const device = PciFunction.enumerate().find((candidate) => candidate.vendorId === 0x1af4);
  assert(device !== undefined, "a virtio device");
  const forged = Object.create(Segment.prototype) as Segment;
  assertEqual(refusal(DmaStream.map(device, forged, DmaDirection.Bidirectional)), ErrorCode.AccessDenied, "forged segment");
  const ring = unwrap(DmaCoherent.alloc(device, 1));
  assert(ring.deviceAddress % PAGE_SIZE === 0, "page aligned");
  ring.release();
});

ktest("a task runs on at most one CPU even if the scheduler picks it twice", async () => {
  const queue = new WaitQueue();
  let released = false;
  let resumes = 0;
  const sleeper = Task.spawn(async () => {
    await queue.waitUntil(() => released);
    resumes++;
  });
  await yieldNow();
  const fifo = new FifoScheduler();
  const before = policyViolationCount();
  injectScheduler({
    enqueue: (task) => { fifo.enqueue(task); },
    pickNext: () => sleeper.state === TaskState.Exited ? fifo.pickNext() : sleeper,
    update: () => false,
  });
  await yieldNow();
  assert(policyViolationCount() > before, "violation caught");
  assertEqual(sleeper.state, TaskState.Sleeping, "still asleep");
  released = true;
  queue.wakeAll();
  await sleeper.join();
  assertEqual(resumes, 1, "ran once");
  injectScheduler(new FifoScheduler());
});
