/**
 * The bridge between OSTD's `UserContext` and the kernel's register-level code (syscall
 * arguments, signal frames). OSTD exposes registers as JS numbers (exact within ±2^53) and
 * as BigInts (all 64 bits); the syscall path uses the numbers and falls back to BigInt only
 * for a register that really holds more than 53 bits, the signal path copies whole halves.
 */

import { Register, type UserContext } from "@asterism/ostd";
import { SyscallArgs, SYSCALL_ARGUMENT_REGISTERS } from "../syscall/args.ts";
import type { SignalContext } from "../signal/signal-frame.ts";

const TWO_32 = 0x1_0000_0000;
const REGISTERS: readonly Register[] = Object.values(Register);

function halvesOf(context: UserContext, register: Register): { low: number; high: number } {
  const value = context.get(register);
  if (Number.isSafeInteger(value)) {
    const high = Math.floor(value / TWO_32);
    return { low: (value - high * TWO_32) | 0, high: high | 0 };
  }
  const big = context.getBig(register);
  return { low: Number(big & 0xffff_ffffn) | 0, high: Number(big >> 32n) | 0 };
}

/**
 * The six syscall arguments of the system call `context` is making (the syscall fast path),
 * written into `args`: a thread has one call in flight, so it reuses one object.
 */
export function syscallArgsOf(context: UserContext, args: SyscallArgs): SyscallArgs {
  for (const [index, register] of SYSCALL_ARGUMENT_REGISTERS.entries()) {
    const registerName = REGISTERS[register];
    if (registerName === undefined) continue;
    const value = context.get(registerName);
    if (Number.isSafeInteger(value)) {
      args.setSigned(index, value);
    } else {
      const big = context.getBig(registerName);
      args.setHalves(index, Number(big & 0xffff_ffffn) | 0, Number(big >> 32n) | 0);
    }
  }
  return args;
}

/** A copy of the registers in the shape the signal-frame code works on. */
export function signalContextOf(context: UserContext): SignalContext {
  const gprLo = new Int32Array(16);
  const gprHi = new Int32Array(16);
  for (const register of REGISTERS) {
    const halves = halvesOf(context, register);
    gprLo[register] = halves.low;
    gprHi[register] = halves.high;
  }
  return {
    gprLo,
    gprHi,
    rip: context.instructionPointer,
    rflags: context.flags,
    saveFpu: (into) => { context.saveFpu(into); },
    restoreFpu: (from) => { context.restoreFpu(from); },
  };
}

/** Writes a (possibly modified) copy back; RFLAGS goes through OSTD's sanitizer. */
export function applySignalContext(context: UserContext, view: SignalContext): void {
  for (const register of REGISTERS) {
    const low = BigInt((view.gprLo[register] ?? 0) >>> 0);
    const high = BigInt((view.gprHi[register] ?? 0) >>> 0);
    context.setBig(register, (high << 32n) | low);
  }
  context.instructionPointer = view.rip;
  context.flags = view.rflags;
}
