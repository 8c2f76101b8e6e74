/**
 * Devices cannot change sensitive memory: a virtio device is told (by a driver written
 * against OSTD's public API) to write its used ring into a page-table frame. The IOMMU,
 * which OSTD programs only with untyped frames, refuses the write; the device reports
 * NEEDS_RESET and the page table still translates. The same driver with the used ring in
 * its own DMA buffer works, so the refusal is about the target, not the driver.
 */
import {
  assertEqual, DmaCoherent, ktest, PageFlags, PAGE_SIZE, Register, ReturnReason, Segment, UntypedFrame,
  UserMode, unwrap, assert,
} from "../src/index.ts";
import { CODE_BASE, LOAD_RDI, loadProgram } from "./support/user-programs.ts";
import { DeviceStatus, RingLayout, VirtioConsoleProbe } from "./support/virtio-console.ts";

const MESSAGE = new TextEncoder().encode("dma\n");

function messageBuffer(): Segment {
  const buffer = unwrap(Segment.alloc(1));
  unwrap(buffer.writer(0, MESSAGE.length).write(MESSAGE));
  return buffer;
}

ktest("a device writes its used ring into its own DMA buffer", () => {
  const console = VirtioConsoleProbe.find();
  const rings = unwrap(DmaCoherent.alloc(console.device, 1));
  const base = rings.deviceAddress;
  console.start(base + RingLayout.descriptors, base + RingLayout.available, base + RingLayout.used);
  const buffer = messageBuffer();
  const stream = console.send(rings, buffer, MESSAGE.length);
  const usedIndex = unwrap(rings.reader(RingLayout.used + 2, 2).readUint(2));
  assertEqual(usedIndex, 1, "used.idx");
  assertEqual(console.status & DeviceStatus.NeedsReset, 0, "device healthy");
  console.reset();
  stream.release();
  buffer.release();
  rings.release();
});

ktest("a device cannot write a page table, even when its driver asks it to", async () => {
  const console = VirtioConsoleProbe.find();
  const rings = unwrap(DmaCoherent.alloc(console.device, 1));
  // Page tables come from the allocator right after this marker frame (next-fit): the
  // space's root, then the three tables that mapping address 0 needs.
  const marker = unwrap(UntypedFrame.alloc());
  const { space, context } = loadProgram(LOAD_RDI);
  const data = unwrap(UntypedFrame.alloc());
  data.write(0, Uint8Array.of(0x5a));
  unwrap(unwrap(space.cursor(0, PAGE_SIZE)).map(data, PageFlags.Read));
  const target = marker.paddr + PAGE_SIZE;
  marker.release();
  const base = rings.deviceAddress;
  console.start(base + RingLayout.descriptors, base + RingLayout.available, target);
  const buffer = messageBuffer();
  const stream = console.send(rings, buffer, MESSAGE.length);
  assert((console.status & DeviceStatus.NeedsReset) !== 0, "the device hit the IOMMU and needs a reset");
  assertEqual(space.query(0)?.pfn, data.paddr / PAGE_SIZE, "the mapping OSTD reads back");
  const user = new UserMode(space, context);
  context.instructionPointer = CODE_BASE;
  context.set(Register.RDI, 0);
  assertEqual(await user.execute(), ReturnReason.Syscall, "user code still runs on that page table");
  assertEqual(context.get(Register.RAX), 0x5a, "and reads its page through it");
  console.reset();
  stream.release();
  buffer.release();
  rings.release();
  data.release();
  space.destroy();
});
