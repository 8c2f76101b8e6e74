/**
 * UserMode: running user code from a task.
 *
 * `execute()` enters user mode on the task's VmSpace and UserContext and returns when the
 * user makes a system call, raises an exception the kernel must see, or when the kernel
 * has something to do (`hasKernelEvent`, e.g. a pending signal). Interrupts taken while
 * the user runs are handled here; if the scheduler wants the CPU back, the task is
 * preempted and resumes user mode later. Page faults go first to the VmSpace's fault
 * handler (demand paging, copy-on-write) and reach the caller only if it declines.
 */
import { arch } from "../boot/machine-state.ts";
import { handlePendingInterrupts, runBottomHalves, takeHostPollRequest } from "../irq/irq-line.ts";
import type { VmSpace } from "../mm/vm-space.ts";
import { preemptionPoint, shouldReschedule, Task } from "../task/task.ts";
import { TrapKind } from "../arch.ts";
import { userRegisters, type UserContext } from "./user-context.ts";

export const ReturnReason = {
  Syscall: "syscall",
  Exception: "exception",
  KernelEvent: "kernel-event",
} as const;
export type ReturnReason = (typeof ReturnReason)[keyof typeof ReturnReason];

/** The exception user code raised. */
export interface CpuException {
  readonly vector: number;
  readonly errorCode: number;
  /** The faulting address for page faults, 0 otherwise. */
  readonly faultAddress: number;
}

export class UserMode {
  readonly #space: VmSpace;
  readonly #context: UserContext;
  #exception: CpuException = { vector: -1, errorCode: 0, faultAddress: 0 };

  constructor(space: VmSpace, context: UserContext) {
    this.#space = space;
    this.#context = context;
  }

  get context(): UserContext {
    return this.#context;
  }

  get space(): VmSpace {
    return this.#space;
  }

  /** The exception of the last `Exception` return. */
  get exception(): CpuException {
    return this.#exception;
  }

  /** Runs user code until a syscall, an unhandled exception or a kernel event. */
  async execute(hasKernelEvent: () => boolean = () => false): Promise<ReturnReason> {
    Task.current();
    const cpu = arch().cpu;
    const registers = userRegisters(this.#context);
    for (;;) {
      if (hasKernelEvent()) return ReturnReason.KernelEvent;
      if (shouldReschedule()) await preemptionPoint();
      this.#space.activate();
      registers.rflags = cpu.sanitizeUserFlags(registers.rflags);
      // SAFETY: the active page table is a VmSpace's, which maps only untyped frames.
      const trap = cpu.enterUser(registers);
      if (trap === TrapKind.Syscall) return ReturnReason.Syscall;
      if (trap === TrapKind.Interrupt) {
        handlePendingInterrupts();
        runBottomHalves();
        if (takeHostPollRequest()) await arch().interrupts.pollHost();
        continue;
      }
      const exception = { vector: cpu.exceptionVector, errorCode: cpu.errorCode, faultAddress: cpu.faultAddress };
      if (exception.vector === cpu.pageFaultVector) {
        const fault = {
          address: exception.faultAddress,
          write: (exception.errorCode & cpu.pageFaultWriteBit) !== 0,
          present: (exception.errorCode & cpu.pageFaultPresentBit) !== 0,
        };
        if (await this.#space.handlePageFault(fault)) continue;
      }
      this.#exception = exception;
      return ReturnReason.Exception;
    }
  }
}
