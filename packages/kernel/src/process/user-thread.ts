/**
 * The life of a user thread: one OSTD task per process that enters user mode, serves each
 * system call through the syscall table, turns CPU exceptions into signals, and delivers
 * pending signals on every return to user space (default actions, or a handler frame).
 */

import { ReturnReason, Task, UserMode, type CpuException } from "@asterism/ostd";
import type { Kernel } from "../kernel.ts";
import { Errno } from "../errno.ts";
import { buildSignalFrame, enterHandler } from "../signal/signal-frame.ts";
import { maskDuringHandler, SaFlag, SiCode, takeDeliverable, type SigInfo } from "../signal/signal-state.ts";
import { Signal } from "../signal/signals.ts";
import { REGISTERS_REPLACED } from "../syscall/dispatcher.ts";
import { Sys } from "../syscall/numbers.ts";
import type { Process } from "./process.ts";
import { applySignalContext, signalContextOf, syscallArgsOf } from "./user-context-view.ts";
import { WaitStatus } from "./wait-status.ts";

const Vector = { DivideError: 0, Debug: 1, Breakpoint: 3, InvalidOpcode: 6, GeneralProtection: 13, PageFault: 14, X87: 16, Alignment: 17, Simd: 19 } as const;
const PAGE_FAULT_PRESENT = 1;
/** si_code values of fault signals (uapi asm-generic/siginfo.h). */
const FaultCode = { ILL_ILLOPN: 2, FPE_INTDIV: 1, BUS_ADRALN: 1 } as const;
/** Syscalls that report EINTR to the program instead of being restarted under SA_RESTART. */
const NEVER_RESTARTED: readonly number[] = [Sys.nanosleep, Sys.clock_nanosleep, Sys.pause, Sys.rt_sigsuspend, Sys.poll, Sys.ppoll, Sys.select, Sys.pselect6];
/** Length of the `syscall` instruction, to re-execute it on restart. */
const SYSCALL_INSTRUCTION_LENGTH = 2;
const USER_SPACE_END = 0x8000_0000_0000;

/** Starts the task that runs `process` in user mode. */
export function startUserThread(kernel: Kernel, process: Process): void {
  const task = Task.spawn(() => runThread(kernel, process), { name: `pid-${String(process.pid)}`, data: process });
  kernel.bindTask(task, process);
}

interface InterruptedCall {
  readonly number: number;
}

async function runThread(kernel: Kernel, process: Process): Promise<void> {
  const mode: { current: UserMode | undefined } = { current: undefined };
  while (!process.isZombie) {
    try {
      await runOnce(kernel, process, mode);
    } catch (error) {
      // A kernel bug must not leave the process half-alive (its parent would wait forever).
      const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
      kernel.log(`kernel bug while running pid ${String(process.pid)}: ${detail}`);
      kernel.exit(process, WaitStatus.signaled(Signal.SIGSEGV));
    }
  }
}

/** One trip to user mode and back: run, serve the syscall or fault, deliver signals. */
async function runOnce(kernel: Kernel, process: Process, mode: { current: UserMode | undefined }): Promise<void> {
  if (process.stopped) {
    await process.events.waitUntil(() => !process.stopped || process.isZombie || process.pending.pending.has(Signal.SIGKILL));
    return;
  }
  let userMode = mode.current;
  if (userMode === undefined || userMode.space !== process.space.vmSpace || userMode.context !== process.context) {
    userMode = new UserMode(process.space.vmSpace, process.context);
    mode.current = userMode;
  }
  const reason = await userMode.execute(() => process.hasDeliverableSignal || process.isZombie || process.stopped);
  let interrupted: InterruptedCall | undefined;
  if (reason === ReturnReason.Syscall) interrupted = await serveSyscall(kernel, process);
  else if (reason === ReturnReason.Exception) raiseFault(process, userMode.exception);
  if (stillRunning(process)) await deliverSignals(kernel, process, interrupted);
}

/** Re-reads the state a syscall or fault may just have changed. */
function stillRunning(process: Process): boolean {
  return !process.isZombie;
}

async function serveSyscall(kernel: Kernel, process: Process): Promise<InterruptedCall | undefined> {
  const context = process.context;
  const number = context.syscallNumber;
  const outcome = kernel.syscalls.dispatch(process, number, syscallArgsOf(context, process.syscallArgs));
  const result = outcome instanceof Promise ? await outcome : outcome;
  if (result === REGISTERS_REPLACED || process.isZombie) return undefined;
  // execve may have replaced the context while the call ran; the result goes to the current one.
  process.context.setSyscallReturn(result);
  return result === -Errno.EINTR ? { number } : undefined;
}

/** The signal a CPU exception means (Linux's trap handlers), forced through masks. */
function raiseFault(process: Process, exception: CpuException): void {
  const rip = process.context.instructionPointer;
  let info: SigInfo;
  switch (exception.vector) {
    case Vector.PageFault:
      info = { signal: Signal.SIGSEGV, code: (exception.errorCode & PAGE_FAULT_PRESENT) !== 0 ? SiCode.SegvAccErr : SiCode.SegvMapErr, address: exception.faultAddress };
      break;
    case Vector.InvalidOpcode:
      info = { signal: Signal.SIGILL, code: FaultCode.ILL_ILLOPN, address: rip };
      break;
    case Vector.DivideError:
      info = { signal: Signal.SIGFPE, code: FaultCode.FPE_INTDIV, address: rip };
      break;
    case Vector.X87:
    case Vector.Simd:
      info = { signal: Signal.SIGFPE, code: 0, address: rip };
      break;
    case Vector.Debug:
    case Vector.Breakpoint:
      info = { signal: Signal.SIGTRAP, code: SiCode.Kernel, address: rip };
      break;
    case Vector.Alignment:
      info = { signal: Signal.SIGBUS, code: FaultCode.BUS_ADRALN, address: exception.faultAddress };
      break;
    default:
      info = { signal: Signal.SIGSEGV, code: SiCode.Kernel, address: 0 };
  }
  forceSignal(process, info);
}

/** A synchronous fault cannot be blocked or ignored: Linux resets such a signal to SIG_DFL. */
export function forceSignal(process: Process, info: SigInfo): void {
  const action = process.actions.get(info.signal);
  if (process.blocked.has(info.signal) || action.handler === 1) {
    process.blocked = process.blocked.without(info.signal);
    process.actions.resetToDefault(info.signal);
  }
  process.signal(info, true);
}

async function deliverSignals(kernel: Kernel, process: Process, interrupted: InterruptedCall | undefined): Promise<void> {
  if (process.pending.pending.isEmpty && process.savedMask === undefined) return;
  for (;;) {
    const delivery = takeDeliverable([process.pending], process.actions, process.blocked);
    if (delivery === undefined) break;
    const signal = delivery.info.signal;
    if (delivery.kind === "default") {
      if (delivery.action === "continue") {
        process.resume();
        continue;
      }
      if (delivery.action === "stop") {
        process.stop(signal);
        return;
      }
      if (delivery.action === "core") {
        const where = delivery.info.address === undefined ? "" : ` at 0x${delivery.info.address.toString(16)}`;
        kernel.log(`pid ${String(process.pid)} (${process.name}): killed by signal ${String(signal)}${where}, rip 0x${process.context.instructionPointer.toString(16)}`);
      }
      kernel.exit(process, WaitStatus.signaled(signal));
      return;
    }
    const { action } = delivery;
    if (!Number.isSafeInteger(action.handler) || action.handler >= USER_SPACE_END) {
      kernel.log(`pid ${String(process.pid)}: handler of signal ${String(signal)} is not a user address`);
      kernel.exit(process, WaitStatus.signaled(Signal.SIGSEGV));
      return;
    }
    if (interrupted !== undefined && (action.flags & SaFlag.RESTART) !== 0 && !NEVER_RESTARTED.includes(interrupted.number)) {
      process.context.setSyscallReturn(interrupted.number);
      process.context.instructionPointer -= SYSCALL_INSTRUCTION_LENGTH;
    }
    const view = signalContextOf(process.context);
    const maskBefore = process.savedMask ?? process.blocked;
    process.savedMask = undefined;
    const frame = buildSignalFrame(view, delivery.info, action, maskBefore, process.altStack);
    try {
      await process.space.write(frame.start, frame.bytes);
    } catch {
      kernel.log(`pid ${String(process.pid)}: cannot write a signal frame for signal ${String(signal)}`);
      kernel.exit(process, WaitStatus.signaled(Signal.SIGSEGV));
      return;
    }
    enterHandler(view, frame, signal, action);
    applySignalContext(process.context, view);
    process.blocked = maskDuringHandler(process.blocked, signal, action);
    if ((action.flags & SaFlag.RESETHAND) !== 0) process.actions.resetToDefault(signal);
    return;
  }
  if (process.savedMask !== undefined) {
    process.blocked = process.savedMask;
    process.savedMask = undefined;
  }
}
