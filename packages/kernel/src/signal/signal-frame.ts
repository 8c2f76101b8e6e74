/**
 * The x86-64 `rt_sigframe` that Linux pushes on the user stack to run a signal handler, and
 * the validation of what `rt_sigreturn` finds there when the handler returns.
 *
 * Layout (arch/x86/include/asm/sigframe.h, uapi asm/sigcontext.h, uapi asm-generic/siginfo.h):
 *
 *     frame+0    pretcode (sa_restorer)          the handler's return address
 *     frame+8    struct ucontext (304 bytes)     uc_flags, uc_link, uc_stack, sigcontext, uc_sigmask
 *     frame+312  siginfo_t (128 bytes)
 *     ...        512-byte FXSAVE area, 64-byte aligned, pointed to by sigcontext.fpstate
 *
 * The handler is entered with RSP = frame (so RSP+8 is 16-byte aligned, as after a call),
 * RDI = signal, RSI = &info, RDX = &ucontext. Everything read back at sigreturn is user
 * controlled, so only the user-changeable RFLAGS bits are restored, and a non-canonical RIP
 * or RSP or a misaligned fpstate pointer is refused (the caller then raises SIGSEGV).
 */

import { Gpr } from "../syscall/args.ts";
import { readU16, readU32, readU64, writeI64, writeU16, writeU32, writeU64Halves } from "../util/le-bytes.ts";
import { SaFlag, type SigAction, type SigInfo } from "./signal-state.ts";
import { Signal, SigSet } from "./signals.ts";

/** The registers a signal frame saves; the board's CPU context has exactly this shape. */
export interface SignalContext {
  readonly gprLo: Int32Array;
  readonly gprHi: Int32Array;
  rip: number;
  rflags: number;
  saveFpu(into: Uint8Array): void;
  restoreFpu(from: Uint8Array): void;
}

export interface AltStack {
  readonly base: number;
  readonly size: number;
}

export const FPSTATE_SIZE = 512;
const RED_ZONE = 128;
const FRAME_SIZE = 440;
const UCONTEXT = 8;
const UC_STACK = UCONTEXT + 16;
const SIGCONTEXT = UCONTEXT + 40;
const UC_SIGMASK = SIGCONTEXT + 256;
const SIGINFO = UC_SIGMASK + 8;
const UC_SIGCONTEXT_SS = 2;
const UC_STRICT_RESTORE_SS = 4;
const USER_CS = 0x33;
const USER_SS = 0x2b;
const USER_SPACE_END = 0x8000_0000_0000;

/** Byte offsets of each GPR inside `struct sigcontext`, by register-file index. */
const SIGCONTEXT_GPR_OFFSETS: readonly (readonly [number, number])[] = [
  [Gpr.r8, 0], [Gpr.r9, 8], [Gpr.r10, 16], [Gpr.r11, 24], [Gpr.r12, 32], [Gpr.r13, 40], [Gpr.r14, 48], [Gpr.r15, 56],
  [Gpr.rdi, 64], [Gpr.rsi, 72], [Gpr.rbp, 80], [Gpr.rbx, 88], [Gpr.rdx, 96], [Gpr.rax, 104], [Gpr.rcx, 112], [Gpr.rsp, 120],
];
const SC_RSP = 120;
const SC_RIP = 128;
const SC_EFLAGS = 136;
const SC_CS = 144;
const SC_SS = 150;
const SC_ERR = 152;
const SC_TRAPNO = 160;
const SC_OLDMASK = 168;
const SC_CR2 = 176;
const SC_FPSTATE = 184;

/** RFLAGS bits user code may change through sigreturn: CF PF AF ZF SF TF DF OF RF AC. */
const USER_FLAGS = 0x0005_0dd5;
const FLAGS_CLEARED_FOR_HANDLER = 0x0001_0500; // RF, DF, TF

export interface SignalFrame {
  /** Lowest address: the frame (pretcode) and the handler's RSP. */
  readonly start: number;
  /** Bytes to write at `start`: frame, padding and FXSAVE area. */
  readonly bytes: Uint8Array;
  readonly infoAddress: number;
  readonly ucontextAddress: number;
}

function register(context: SignalContext, index: number): number {
  const high = context.gprHi[index] ?? 0;
  return high * 0x1_0000_0000 + ((context.gprLo[index] ?? 0) >>> 0);
}

function setRegister(context: SignalContext, index: number, value: number): void {
  const high = Math.floor(value / 0x1_0000_0000);
  context.gprLo[index] = (value - high * 0x1_0000_0000) | 0;
  context.gprHi[index] = high | 0;
}

function encodeSigInfo(bytes: Uint8Array, at: number, info: SigInfo): void {
  writeU32(bytes, at, info.signal);
  writeU32(bytes, at + 8, info.code);
  const faults: readonly number[] = [Signal.SIGSEGV, Signal.SIGBUS, Signal.SIGILL, Signal.SIGFPE];
  if (faults.includes(info.signal) && info.address !== undefined) {
    writeI64(bytes, at + 16, info.address);
    return;
  }
  writeU32(bytes, at + 16, info.senderPid ?? 0);
  writeU32(bytes, at + 20, info.senderUid ?? 0);
  if (info.signal === Signal.SIGCHLD) writeU32(bytes, at + 24, info.status ?? 0);
}

function onAltStack(altStack: AltStack | undefined, rsp: number): boolean {
  return altStack !== undefined && rsp > altStack.base && rsp <= altStack.base + altStack.size;
}

/**
 * Lays out the frame for delivering `info` with `action` to a thread whose registers are in
 * `context` and whose mask before delivery was `blocked`. SA_ONSTACK switches to `altStack`
 * unless the thread is already on it.
 */
export function buildSignalFrame(
  context: SignalContext,
  info: SigInfo,
  action: SigAction,
  blocked: SigSet,
  altStack?: AltStack,
  fault?: { readonly trapNumber: number; readonly errorCode: number },
): SignalFrame {
  const rsp = register(context, Gpr.rsp);
  const useAltStack = (action.flags & SaFlag.ONSTACK) !== 0 && altStack !== undefined && !onAltStack(altStack, rsp);
  const top = useAltStack ? altStack.base + altStack.size : rsp - RED_ZONE;
  const fpstate = alignDown(top - FPSTATE_SIZE, 64);
  const start = alignDown(fpstate - FRAME_SIZE, 16) - 8;
  const bytes = new Uint8Array(fpstate + FPSTATE_SIZE - start);

  writeI64(bytes, 0, action.restorer);
  writeI64(bytes, UCONTEXT, UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS);
  if (altStack !== undefined) {
    writeI64(bytes, UC_STACK, altStack.base);
    writeU32(bytes, UC_STACK + 8, onAltStack(altStack, rsp) ? 1 : 0);
    writeI64(bytes, UC_STACK + 16, altStack.size);
  } else {
    writeU32(bytes, UC_STACK + 8, 2); // SS_DISABLE
  }
  for (const [index, offset] of SIGCONTEXT_GPR_OFFSETS) {
    writeU64Halves(bytes, SIGCONTEXT + offset, context.gprLo[index] ?? 0, context.gprHi[index] ?? 0);
  }
  writeI64(bytes, SIGCONTEXT + SC_RIP, context.rip);
  writeI64(bytes, SIGCONTEXT + SC_EFLAGS, context.rflags >>> 0);
  writeU16(bytes, SIGCONTEXT + SC_CS, USER_CS);
  writeU16(bytes, SIGCONTEXT + SC_SS, USER_SS);
  if (fault !== undefined) {
    writeI64(bytes, SIGCONTEXT + SC_ERR, fault.errorCode);
    writeI64(bytes, SIGCONTEXT + SC_TRAPNO, fault.trapNumber);
    writeI64(bytes, SIGCONTEXT + SC_CR2, info.address ?? 0);
  }
  writeU32(bytes, SIGCONTEXT + SC_OLDMASK, blocked.low);
  writeI64(bytes, SIGCONTEXT + SC_FPSTATE, fpstate);
  blocked.encode(bytes, UC_SIGMASK);
  encodeSigInfo(bytes, SIGINFO, info);
  const fpu = new Uint8Array(FPSTATE_SIZE);
  context.saveFpu(fpu);
  bytes.set(fpu, fpstate - start);
  return { start, bytes, infoAddress: start + SIGINFO, ucontextAddress: start + UCONTEXT };
}

/** The FXSAVE image of a freshly initialised FPU (FCW 0x37F, MXCSR 0x1F80). */
function initialFpuState(): Uint8Array {
  const state = new Uint8Array(FPSTATE_SIZE);
  writeU16(state, 0, 0x037f);
  writeU32(state, 24, 0x1f80);
  writeU32(state, 28, 0xffff);
  return state;
}

/** Points the thread at the handler once `frame` has been written to its stack. */
export function enterHandler(context: SignalContext, frame: SignalFrame, signal: number, action: SigAction): void {
  setRegister(context, Gpr.rsp, frame.start);
  setRegister(context, Gpr.rdi, signal);
  setRegister(context, Gpr.rsi, frame.infoAddress);
  setRegister(context, Gpr.rdx, frame.ucontextAddress);
  setRegister(context, Gpr.rax, 0);
  context.rip = action.handler;
  context.rflags = (context.rflags & ~FLAGS_CLEARED_FOR_HANDLER) | 0x2;
  context.restoreFpu(initialFpuState());
}

/** The size of the frame `rt_sigreturn` reads, starting 8 bytes below the RSP it sees. */
export const SIGRETURN_READ_SIZE = FRAME_SIZE;

export interface SigreturnState {
  readonly mask: SigSet;
  /** User address of the saved FXSAVE area (0 when the handler cleared it). */
  readonly fpstateAddress: number;
  readonly ok: true;
}

export type SigreturnResult = SigreturnState | { readonly ok: false; readonly reason: string };

/** Where `rt_sigreturn` finds the frame: the restorer ran after `ret` popped pretcode. */
export function sigreturnFrameAddress(context: SignalContext): number {
  return register(context, Gpr.rsp) - 8;
}

/**
 * Validates the frame bytes read at `sigreturnFrameAddress` and, if they are sound, loads
 * the saved registers into `context`. The caller then reads `fpstateAddress` (if non-zero)
 * and calls `restoreFpu`, and installs `mask` as the thread's signal mask. On failure the
 * context is untouched and the caller raises SIGSEGV, as Linux does.
 */
export function restoreFromFrame(context: SignalContext, frame: Uint8Array): SigreturnResult {
  if (frame.length < FRAME_SIZE) return { ok: false, reason: "short frame" };
  const rip = readU64(frame, SIGCONTEXT + SC_RIP);
  const rsp = readU64(frame, SIGCONTEXT + SC_RSP);
  const fpstateAddress = readU64(frame, SIGCONTEXT + SC_FPSTATE);
  if (rip >= USER_SPACE_END) return { ok: false, reason: "non-canonical or kernel RIP" };
  if (rsp >= USER_SPACE_END) return { ok: false, reason: "non-canonical or kernel RSP" };
  if (fpstateAddress % 16 !== 0 || fpstateAddress >= USER_SPACE_END) return { ok: false, reason: "bad fpstate pointer" };
  if (readU16(frame, SIGCONTEXT + SC_CS) !== USER_CS) return { ok: false, reason: "bad code segment" };
  for (const [index, offset] of SIGCONTEXT_GPR_OFFSETS) {
    context.gprLo[index] = readU32(frame, SIGCONTEXT + offset) | 0;
    context.gprHi[index] = readU32(frame, SIGCONTEXT + offset + 4) | 0;
  }
  context.rip = rip;
  const savedFlags = readU32(frame, SIGCONTEXT + SC_EFLAGS);
  context.rflags = ((context.rflags & ~USER_FLAGS) | (savedFlags & USER_FLAGS) | 0x2) >>> 0;
  return { ok: true, mask: SigSet.decode(frame, UC_SIGMASK).blockable(), fpstateAddress };
}

/** siginfo for a fault the CPU raised (SIGSEGV from #PF, SIGILL from #UD, ...); `code` as si_code. */
export function faultInfo(signal: number, address: number, code: number): SigInfo {
  return { signal, code, address };
}

function alignDown(value: number, alignment: number): number {
  return value - (value % alignment);
}
