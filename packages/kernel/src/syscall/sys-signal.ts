/**
 * Signal syscalls: rt_sigaction, rt_sigprocmask, rt_sigpending, rt_sigsuspend, pause,
 * sigaltstack and rt_sigreturn (which validates the frame the handler returns through).
 */

import { Errno, SyscallError } from "../errno.ts";
import type { Kernel } from "../kernel.ts";
import type { Process } from "../process/process.ts";
import { applySignalContext, signalContextOf } from "../process/user-context-view.ts";
import { forceSignal } from "../process/user-thread.ts";
import { FPSTATE_SIZE, restoreFromFrame, SIGRETURN_READ_SIZE, sigreturnFrameAddress } from "../signal/signal-frame.ts";
import { applyMask, decodeSigAction, encodeSigAction, SIGACTION_SIZE, SIGSET_SIZE, SiCode } from "../signal/signal-state.ts";
import { Signal, SigSet } from "../signal/signals.ts";
import { readI32, readU64, writeI64, writeU32 } from "../util/le-bytes.ts";
import type { SyscallArgs } from "./args.ts";
import { REGISTERS_REPLACED } from "./dispatcher.ts";
import { Sys } from "./numbers.ts";

const SS_ONSTACK = 1;
const SS_DISABLE = 2;
const MIN_SIGNAL_STACK = 2048;

function checkSetSize(args: SyscallArgs, index: number): void {
  if (args.unsigned(index) !== SIGSET_SIZE) throw new SyscallError(Errno.EINVAL, "sigsetsize must be 8");
}

async function sigaction(process: Process, args: SyscallArgs): Promise<number> {
  checkSetSize(args, 3);
  const signal = args.int(0);
  const newAddress = args.unsigned(1);
  const oldAddress = args.unsigned(2);
  const previous = process.actions.get(signal);
  if (newAddress !== 0) process.actions.set(signal, decodeSigAction(await process.space.read(newAddress, SIGACTION_SIZE)));
  if (oldAddress !== 0) await process.space.write(oldAddress, encodeSigAction(previous));
  if (newAddress !== 0 && process.actions.isIgnored(signal)) process.pending.discard(signal);
  return 0;
}

async function sigprocmask(process: Process, args: SyscallArgs): Promise<number> {
  checkSetSize(args, 3);
  const newAddress = args.unsigned(1);
  const oldAddress = args.unsigned(2);
  const previous = process.blocked;
  if (newAddress !== 0) process.blocked = applyMask(previous, args.int(0), SigSet.decode(await process.space.read(newAddress, SIGSET_SIZE)));
  if (oldAddress !== 0) {
    const bytes = new Uint8Array(SIGSET_SIZE);
    previous.encode(bytes);
    await process.space.write(oldAddress, bytes);
  }
  return 0;
}

/** Sleeps until a signal is deliverable, then reports EINTR (the handler runs on the way out). */
async function waitForSignal(process: Process): Promise<number> {
  await process.events.waitUntil(() => process.hasDeliverableSignal || process.isZombie);
  throw new SyscallError(Errno.EINTR);
}

async function sigsuspend(process: Process, args: SyscallArgs): Promise<number> {
  checkSetSize(args, 1);
  const mask = SigSet.decode(await process.space.read(args.unsigned(0), SIGSET_SIZE)).blockable();
  process.savedMask = process.blocked;
  process.blocked = mask;
  return waitForSignal(process);
}

async function sigaltstack(process: Process, args: SyscallArgs): Promise<number> {
  const newAddress = args.unsigned(0);
  const oldAddress = args.unsigned(1);
  const rsp = process.context.stackPointer;
  const current = process.altStack;
  const onStack = current !== undefined && rsp > current.base && rsp <= current.base + current.size;
  if (oldAddress !== 0) {
    const bytes = new Uint8Array(24);
    writeI64(bytes, 0, current?.base ?? 0);
    writeU32(bytes, 8, current === undefined ? SS_DISABLE : onStack ? SS_ONSTACK : 0);
    writeI64(bytes, 16, current?.size ?? 0);
    await process.space.write(oldAddress, bytes);
  }
  if (newAddress !== 0) {
    if (onStack) throw new SyscallError(Errno.EPERM, "on the alternate stack");
    const bytes = await process.space.read(newAddress, 24);
    const flags = readI32(bytes, 8);
    if ((flags & SS_DISABLE) !== 0) {
      process.altStack = undefined;
    } else {
      if (flags !== 0 && flags !== SS_ONSTACK) throw new SyscallError(Errno.EINVAL, "bad sigaltstack flags");
      const size = readU64(bytes, 16);
      if (size < MIN_SIGNAL_STACK) throw new SyscallError(Errno.ENOMEM, "alternate stack too small");
      process.altStack = { base: readU64(bytes, 0), size };
    }
  }
  return 0;
}

async function sigreturn(process: Process): Promise<typeof REGISTERS_REPLACED> {
  const view = signalContextOf(process.context);
  try {
    const frame = await process.space.read(sigreturnFrameAddress(view), SIGRETURN_READ_SIZE);
    const restored = restoreFromFrame(view, frame);
    if (!restored.ok) throw new SyscallError(Errno.EFAULT, restored.reason);
    if (restored.fpstateAddress !== 0) view.restoreFpu(await process.space.read(restored.fpstateAddress, FPSTATE_SIZE));
    applySignalContext(process.context, view);
    process.blocked = restored.mask;
  } catch (error) {
    if (!(error instanceof SyscallError)) throw error;
    forceSignal(process, { signal: Signal.SIGSEGV, code: SiCode.Kernel, address: 0 });
  }
  return REGISTERS_REPLACED;
}

export function registerSignalSyscalls(kernel: Kernel): void {
  const table = kernel.syscalls;
  table.register(Sys.rt_sigaction, (process, args) => sigaction(process, args));
  table.register(Sys.rt_sigprocmask, (process, args) => sigprocmask(process, args));
  table.register(Sys.rt_sigpending, async (process, args) => {
    const bytes = new Uint8Array(SIGSET_SIZE);
    process.pending.pending.intersect(process.blocked).encode(bytes);
    await process.space.write(args.unsigned(0), bytes);
    return 0;
  });
  table.register(Sys.rt_sigsuspend, (process, args) => sigsuspend(process, args));
  table.register(Sys.pause, (process) => waitForSignal(process));
  table.register(Sys.sigaltstack, (process, args) => sigaltstack(process, args));
  table.register(Sys.rt_sigreturn, (process) => sigreturn(process));
}
