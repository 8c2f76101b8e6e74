/**
 * UserContext: the register file of one user thread, as the kernel may see and change it.
 *
 * It holds the general-purpose registers, RIP, RFLAGS, the FS/GS bases and the FPU/SSE
 * state, and nothing privileged: there is no CS/SS, no CR3, no IOPL. RFLAGS writes keep
 * only the bits user code may hold, so a kernel bug (or a forged signal frame) cannot send
 * user code to ring 0 or give it I/O privilege. 64-bit registers are stored as two int32
 * halves; `get`/`set` convert to JavaScript numbers (signed, exact within ±2^53: every
 * address and errno), `getBig`/`setBig` give all 64 bits.
 */
import type { ArchUserContext } from "../arch.ts";
import { arch } from "../boot/machine-state.ts";
import { ErrorCode, OstdError } from "../error.ts";

/**
 * General-purpose register indices (x86-64 encoding order). This is the one piece of ISA
 * vocabulary OSTD carries itself: the Linux ABI layer must name registers, and services
 * cannot import the arch port. Which registers carry system-call arguments comes from the
 * port (`SyscallAbi`).
 */
export const Register = {
  RAX: 0, RCX: 1, RDX: 2, RBX: 3, RSP: 4, RBP: 5, RSI: 6, RDI: 7,
  R8: 8, R9: 9, R10: 10, R11: 11, R12: 12, R13: 13, R14: 14, R15: 15,
} as const;
export type Register = (typeof Register)[keyof typeof Register];

/** Size of the FPU/SSE state in `saveFpu`/`restoreFpu` (FXSAVE layout). */
export const FPU_STATE_SIZE = 512;

const TWO_32 = 0x1_0000_0000;
const CONSTRUCT = Symbol("user-context");

let registersOf: (context: UserContext) => ArchUserContext;

/** The raw register file of a context, for UserMode (OSTD-internal, not exported by the package). */
export function userRegisters(context: UserContext): ArchUserContext {
  return registersOf(context);
}

export class UserContext {
  readonly #regs: ArchUserContext;

  private constructor(token: symbol, regs: ArchUserContext) {
    if (token !== CONSTRUCT) throw new OstdError(ErrorCode.AccessDenied, "use UserContext.create()");
    this.#regs = regs;
  }

  /** A context in the architecture's process-entry state. */
  static create(): UserContext {
    return new UserContext(CONSTRUCT, arch().cpu.createContext());
  }

  static {
    registersOf = (context) => {
      if (!(#regs in context)) throw new OstdError(ErrorCode.AccessDenied, "not a UserContext");
      return context.#regs;
    };
  }

  /** A register as a signed 64-bit value (exact for |value| < 2^53). */
  get(register: Register): number {
    return (this.#regs.gprHi[register] ?? 0) * TWO_32 + ((this.#regs.gprLo[register] ?? 0) >>> 0);
  }

  set(register: Register, value: number): void {
    if (!Number.isSafeInteger(value)) throw new OstdError(ErrorCode.InvalidArgs, `register value ${String(value)} is not a safe integer`);
    const high = Math.floor(value / TWO_32);
    this.#regs.gprHi[register] = high | 0;
    this.#regs.gprLo[register] = (value - high * TWO_32) | 0;
  }

  /** A register as an unsigned 64-bit BigInt. */
  getBig(register: Register): bigint {
    return (BigInt((this.#regs.gprHi[register] ?? 0) >>> 0) << 32n) | BigInt((this.#regs.gprLo[register] ?? 0) >>> 0);
  }

  setBig(register: Register, value: bigint): void {
    const bits = BigInt.asUintN(64, value);
    this.#regs.gprHi[register] = Number(bits >> 32n) | 0;
    this.#regs.gprLo[register] = Number(bits & 0xffff_ffffn) | 0;
  }

  get instructionPointer(): number {
    return this.#regs.rip;
  }

  set instructionPointer(address: number) {
    this.#regs.rip = checkAddress(address);
  }

  get stackPointer(): number {
    return this.get(Register.RSP);
  }

  set stackPointer(address: number) {
    this.set(Register.RSP, address);
  }

  get flags(): number {
    return this.#regs.rflags;
  }

  /** Sets RFLAGS, keeping only the bits user code may hold. */
  set flags(value: number) {
    this.#regs.rflags = arch().cpu.sanitizeUserFlags(value);
  }

  get fsBase(): number {
    return this.#regs.fsBase;
  }

  set fsBase(address: number) {
    this.#regs.fsBase = checkAddress(address);
  }

  get gsBase(): number {
    return this.#regs.gsBase;
  }

  set gsBase(address: number) {
    this.#regs.gsBase = checkAddress(address);
  }

  get syscallNumber(): number {
    return this.get(arch().cpu.syscallAbi.number as Register);
  }

  /** Argument `index` (0-5) of the system call being made. */
  syscallArg(index: number): number {
    const register = arch().cpu.syscallAbi.args[index];
    if (register === undefined) throw new OstdError(ErrorCode.InvalidArgs, `no syscall argument ${String(index)}`);
    return this.get(register as Register);
  }

  /** Sets the system call's return value (negative errno for failures). */
  setSyscallReturn(value: number): void {
    this.set(arch().cpu.syscallAbi.result as Register, value);
  }

  /** Copies the FPU/SSE state out (FXSAVE layout, 512 bytes). */
  saveFpu(into: Uint8Array): void {
    if (into.length < FPU_STATE_SIZE) throw new OstdError(ErrorCode.InvalidArgs, "FPU state needs 512 bytes");
    this.#regs.saveFpu(into);
  }

  restoreFpu(from: Uint8Array): void {
    if (from.length < FPU_STATE_SIZE) throw new OstdError(ErrorCode.InvalidArgs, "FPU state needs 512 bytes");
    this.#regs.restoreFpu(from);
  }

  /** Copies every register from `other` (fork). */
  copyFrom(other: UserContext): void {
    this.#regs.copyFrom(other.#regs);
  }

  clone(): UserContext {
    const copy = UserContext.create();
    copy.copyFrom(this);
    return copy;
  }
}

function checkAddress(address: number): number {
  if (!Number.isSafeInteger(address) || address < 0) {
    throw new OstdError(ErrorCode.InvalidArgs, `0x${address.toString(16)} is not a user address`);
  }
  return address;
}
