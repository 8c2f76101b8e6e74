/**
 * @asterism/ostd: the arch-neutral half of the OS framework, and the only API services
 * program against. Everything exported here is safe to use from any service: raw machine
 * access stays behind module-private state (see docs/ostd.md for how each sensitive
 * resource is kept out of reach). `startKernel` and the `Arch` types are for arch ports.
 */
export const PACKAGE_NAME = "@asterism/ostd";

export { ErrorCode, OstdError, type Result, ok, err, fail, unwrap } from "./error.ts";

export {
  MemoryRegionKind,
  TrapKind,
  type Arch,
  type ArchBootInfo,
  type ArchClock,
  type ArchCpu,
  type ArchInterrupts,
  type ArchIo,
  type ArchUserContext,
  type MemoryRegion,
  type PageTableFormat,
  type PhysRegion,
  type SyscallAbi,
} from "./arch.ts";
export { startKernel, type KernelMain } from "./boot/start.ts";
export { powerOff } from "./boot/power.ts";
export { bootInfo, type BootInfo } from "./boot/boot-info.ts";

export { PAGE_SIZE } from "./mm/frame-table.ts";
export { UntypedFrame, Segment, type FrameAllocOptions } from "./mm/frame.ts";
export { BitmapFrameAllocator, type FrameAllocator } from "./mm/frame-allocator.ts";
export { injectFrameAllocator } from "./mm/frames.ts";
export { VmReader, VmWriter } from "./mm/vm-io.ts";
export { PageFlags, PageStatus, type PageEntry } from "./mm/page-table.ts";
export { VmSpace, VmSpaceCursor, type PageFaultHandler, type PageFaultInfo } from "./mm/vm-space.ts";

export { UserContext, Register, FPU_STATE_SIZE } from "./user/user-context.ts";
export { UserMode, ReturnReason, type CpuException } from "./user/user-mode.ts";

export { Task, TaskState, type TaskOptions, yieldNow, preemptionPoint, injectScheduler } from "./task/task.ts";
export { FifoScheduler, EnqueueReason, SchedEvent, type Scheduler } from "./task/scheduler.ts";
export { RunQueue } from "./task/run-queue.ts";
export { WaitQueue } from "./sync/wait-queue.ts";
export { Mutex, RwLock, LockGuard, ReadGuard } from "./sync/mutex.ts";

export { Timer, TICK_HZ } from "./timer/timer.ts";
export { sleep } from "./timer/sleep.ts";
export { IrqLine, deferToBottomHalf, type TopHalf } from "./irq/irq-line.ts";

export { IoMem, IoPort } from "./io/io-access.ts";
export { PciFunction, PciConfig, type PciBar, type PciCapability } from "./io/pci.ts";
export { DmaCoherent, DmaStream, DmaDirection } from "./io/dma.ts";

export { print, println, injectConsole, type ConsoleSink } from "./log/console.ts";
export { encodeUtf8, decodeUtf8 } from "./util/utf8.ts";
export { log, LogLevel, injectLogger, setLogLevel, policyViolationCount, type Logger } from "./log/logger.ts";

export { ktest, runKtests, assert, assertEqual, KtestAssertionError, type KtestBody } from "./ktest/harness.ts";
