/**
 * Signal numbers, their default actions, and the 64-bit signal set.
 *
 * A `sigset_t` is 64 bits (signals 1..64) and JS bitwise operators are 32-bit, so `SigSet`
 * keeps two uint32 words (signals 1..32 and 33..64) and is immutable: masks are shared by
 * value between sigaction entries, threads and signal frames without aliasing bugs.
 */

import { readU32, writeU32 } from "../util/le-bytes.ts";

export const Signal = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGILL: 4,
  SIGTRAP: 5,
  SIGABRT: 6,
  SIGBUS: 7,
  SIGFPE: 8,
  SIGKILL: 9,
  SIGUSR1: 10,
  SIGSEGV: 11,
  SIGUSR2: 12,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
  SIGSTKFLT: 16,
  SIGCHLD: 17,
  SIGCONT: 18,
  SIGSTOP: 19,
  SIGTSTP: 20,
  SIGTTIN: 21,
  SIGTTOU: 22,
  SIGURG: 23,
  SIGXCPU: 24,
  SIGXFSZ: 25,
  SIGVTALRM: 26,
  SIGPROF: 27,
  SIGWINCH: 28,
  SIGIO: 29,
  SIGPWR: 30,
  SIGSYS: 31,
} as const;

export const SIGNAL_COUNT = 64;
export const FIRST_REALTIME_SIGNAL = 32;

/** What happens to a process when a signal's action is SIG_DFL. */
export const DefaultAction = {
  Terminate: "terminate",
  CoreDump: "core",
  Ignore: "ignore",
  Stop: "stop",
  Continue: "continue",
} as const;
export type DefaultAction = (typeof DefaultAction)[keyof typeof DefaultAction];

const coreDumping: readonly number[] = [
  Signal.SIGQUIT, Signal.SIGILL, Signal.SIGTRAP, Signal.SIGABRT, Signal.SIGBUS, Signal.SIGFPE,
  Signal.SIGSEGV, Signal.SIGXCPU, Signal.SIGXFSZ, Signal.SIGSYS,
];
const ignoredByDefault: readonly number[] = [Signal.SIGCHLD, Signal.SIGURG, Signal.SIGWINCH];
const stopping: readonly number[] = [Signal.SIGSTOP, Signal.SIGTSTP, Signal.SIGTTIN, Signal.SIGTTOU];

export function isValidSignal(signal: number): boolean {
  return Number.isInteger(signal) && signal >= 1 && signal <= SIGNAL_COUNT;
}

export function defaultActionOf(signal: number): DefaultAction {
  if (coreDumping.includes(signal)) return DefaultAction.CoreDump;
  if (ignoredByDefault.includes(signal)) return DefaultAction.Ignore;
  if (stopping.includes(signal)) return DefaultAction.Stop;
  if (signal === Signal.SIGCONT) return DefaultAction.Continue;
  return DefaultAction.Terminate;
}

/** SIGKILL and SIGSTOP can be neither caught, ignored nor blocked. */
export function isUncatchable(signal: number): boolean {
  return signal === Signal.SIGKILL || signal === Signal.SIGSTOP;
}

/** An immutable 64-bit signal set. */
export class SigSet {
  static readonly EMPTY: SigSet = new SigSet(0, 0);
  /** Bits for signals 1..32 and 33..64. */
  readonly low: number;
  readonly high: number;

  constructor(low: number, high: number) {
    this.low = low >>> 0;
    this.high = high >>> 0;
  }

  static of(...signals: number[]): SigSet {
    return signals.reduce((set, signal) => set.with(signal), SigSet.EMPTY);
  }

  /** Reads a kernel `sigset_t` (8 bytes, little-endian). */
  static decode(bytes: Uint8Array, offset = 0): SigSet {
    return new SigSet(readU32(bytes, offset), readU32(bytes, offset + 4));
  }

  encode(bytes: Uint8Array, offset = 0): void {
    writeU32(bytes, offset, this.low);
    writeU32(bytes, offset + 4, this.high);
  }

  has(signal: number): boolean {
    if (!isValidSignal(signal)) return false;
    const bit = (signal - 1) % 32;
    return ((signal <= 32 ? this.low : this.high) & (1 << bit)) !== 0;
  }

  with(signal: number): SigSet {
    if (!isValidSignal(signal)) return this;
    const bit = 1 << ((signal - 1) % 32);
    return signal <= 32 ? new SigSet(this.low | bit, this.high) : new SigSet(this.low, this.high | bit);
  }

  without(signal: number): SigSet {
    if (!isValidSignal(signal)) return this;
    const bit = ~(1 << ((signal - 1) % 32));
    return signal <= 32 ? new SigSet(this.low & bit, this.high) : new SigSet(this.low, this.high & bit);
  }

  union(other: SigSet): SigSet {
    return new SigSet(this.low | other.low, this.high | other.high);
  }

  minus(other: SigSet): SigSet {
    return new SigSet(this.low & ~other.low, this.high & ~other.high);
  }

  intersect(other: SigSet): SigSet {
    return new SigSet(this.low & other.low, this.high & other.high);
  }

  get isEmpty(): boolean {
    return this.low === 0 && this.high === 0;
  }

  /** The lowest-numbered member (Linux delivers lower numbers first), or 0. */
  lowest(): number {
    if (this.low !== 0) return 32 - Math.clz32(this.low & -this.low);
    if (this.high !== 0) return 64 - Math.clz32(this.high & -this.high);
    return 0;
  }

  /** The set a mask may really hold: SIGKILL and SIGSTOP are never blocked. */
  blockable(): SigSet {
    return this.without(Signal.SIGKILL).without(Signal.SIGSTOP);
  }

  equals(other: SigSet): boolean {
    return this.low === other.low && this.high === other.high;
  }
}
