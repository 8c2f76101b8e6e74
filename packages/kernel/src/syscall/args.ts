/**
 * The six arguments of an x86-64 `syscall`, read from RDI, RSI, RDX, R10, R8, R9.
 *
 * Registers arrive as 32-bit halves (the board's register-file layout keeps V8 on int32), and
 * C types decide how a handler must read them: an `int` is the low half sign-extended, a
 * pointer or `size_t` is the full 64 bits. The accessors make that choice explicit at every
 * use, so `openat(AT_FDCWD = -100, ...)` and `read(fd, buf, (size_t)-1)` both decode right.
 */

/** Indices into a register file ordered RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8..R15. */
export const Gpr = {
  rax: 0,
  rcx: 1,
  rdx: 2,
  rbx: 3,
  rsp: 4,
  rbp: 5,
  rsi: 6,
  rdi: 7,
  r8: 8,
  r9: 9,
  r10: 10,
  r11: 11,
  r12: 12,
  r13: 13,
  r14: 14,
  r15: 15,
} as const;

/** Argument registers in ABI order. */
export const SYSCALL_ARGUMENT_REGISTERS: readonly number[] = [Gpr.rdi, Gpr.rsi, Gpr.rdx, Gpr.r10, Gpr.r8, Gpr.r9];

const TWO_TO_32 = 0x1_0000_0000;

export class SyscallArgs {
  readonly #low = new Int32Array(6);
  readonly #high = new Int32Array(6);

  /** Captures the arguments from a register file split into low and high halves. */
  static fromRegisters(gprLow: Int32Array, gprHigh: Int32Array): SyscallArgs {
    const args = new SyscallArgs();
    for (const [index, register] of SYSCALL_ARGUMENT_REGISTERS.entries()) {
      args.#low[index] = gprLow[register] ?? 0;
      args.#high[index] = gprHigh[register] ?? 0;
    }
    return args;
  }

  /** Arguments given as signed integers (tests and in-kernel callers). */
  static of(...values: number[]): SyscallArgs {
    const args = new SyscallArgs();
    for (const [index, value] of values.slice(0, 6).entries()) args.setSigned(index, value);
    return args;
  }

  /** Sets argument `index` from a signed integer within ±2^53. */
  setSigned(index: number, value: number): void {
    const high = Math.floor(value / TWO_TO_32);
    this.#low[index] = (value - high * TWO_TO_32) | 0;
    this.#high[index] = high | 0;
  }

  /** Sets argument `index` from its two 32-bit halves. */
  setHalves(index: number, low: number, high: number): void {
    this.#low[index] = low | 0;
    this.#high[index] = high | 0;
  }

  /** A C `int` (or `pid_t`, `mode_t`...): the low 32 bits, sign-extended. */
  int(index: number): number {
    return this.#low[index] ?? 0;
  }

  /** A C `unsigned int` (flags, masks): the low 32 bits, zero-extended. */
  u32(index: number): number {
    return (this.#low[index] ?? 0) >>> 0;
  }

  /** A C `long`/`off_t`/`ssize_t`: the full register, signed (exact within ±2^53). */
  long(index: number): number {
    return (this.#high[index] ?? 0) * TWO_TO_32 + ((this.#low[index] ?? 0) >>> 0);
  }

  /**
   * A pointer or `size_t`: the full register, unsigned. Values beyond 2^53 come back as
   * `Infinity`, which every bounds check rejects (EFAULT/EINVAL) instead of wrapping.
   */
  unsigned(index: number): number {
    const high = (this.#high[index] ?? 0) >>> 0;
    if (high >= 0x20_0000) return Number.POSITIVE_INFINITY;
    return high * TWO_TO_32 + ((this.#low[index] ?? 0) >>> 0);
  }

  /** The raw halves, for values that really are 64-bit masks. */
  halves(index: number): { readonly low: number; readonly high: number } {
    return { low: this.#low[index] ?? 0, high: this.#high[index] ?? 0 };
  }
}

/** Splits a syscall result (a signed number, -errno on failure) into RAX halves. */
export function resultHalves(value: number): { readonly low: number; readonly high: number } {
  const high = Math.floor(value / TWO_TO_32);
  return { low: (value - high * TWO_TO_32) | 0, high: high | 0 };
}
