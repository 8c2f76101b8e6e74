import { describe, expect, it } from "vitest";
import { Gpr } from "../src/syscall/args.ts";
import { buildSignalFrame, enterHandler, restoreFromFrame, sigreturnFrameAddress, type SignalContext } from "../src/signal/signal-frame.ts";
import { SaFlag, SiCode, type SigAction } from "../src/signal/signal-state.ts";
import { Signal, SigSet } from "../src/signal/signals.ts";
import { readU16, readU32, readU64 } from "../src/util/le-bytes.ts";

function fakeContext(): SignalContext & { fpu: Uint8Array } {
  const fpu = new Uint8Array(512).fill(0xab);
  const gprLo = new Int32Array(16).map((_, index) => index * 0x1111);
  const gprHi = new Int32Array(16).map((_, index) => (index === Gpr.rax ? -1 : index));
  gprLo[Gpr.rsp] = 0x7ffe_f008;
  gprHi[Gpr.rsp] = 0x7fff;
  return {
    gprLo,
    gprHi,
    rip: 0x401234,
    rflags: 0x246 | 0x400,
    fpu,
    saveFpu(into) { into.set(fpu); },
    restoreFpu(from) { fpu.set(from); },
  };
}

const action: SigAction = { handler: 0x402000, flags: SaFlag.RESTORER | SaFlag.SIGINFO, restorer: 0x403000, mask: SigSet.EMPTY };
const userRsp = 0x7fff_7ffe_f008;

describe("rt_sigframe", () => {
  it("lays out the x86-64 frame and enters the handler per the ABI", () => {
    const context = fakeContext();
    const blocked = SigSet.of(Signal.SIGUSR2, 40);
    const frame = buildSignalFrame(context, { signal: Signal.SIGSEGV, code: SiCode.SegvMapErr, address: 0x10 }, action, blocked, undefined, { trapNumber: 14, errorCode: 6 });
    expect((frame.start + 8) % 16).toBe(0);
    expect(frame.start + frame.bytes.length).toBeLessThanOrEqual(userRsp - 128);
    const at = (address: number): number => address - frame.start;
    expect(readU64(frame.bytes, 0)).toBe(0x403000);
    const sigcontext = frame.ucontextAddress + 40;
    expect(readU64(frame.bytes, at(sigcontext + 120))).toBe(userRsp);
    expect(readU64(frame.bytes, at(sigcontext + 128))).toBe(0x401234);
    expect(readU32(frame.bytes, at(sigcontext + 104))).toBe(0);
    expect(readU32(frame.bytes, at(sigcontext + 108))).toBe(0xffff_ffff);
    expect(readU16(frame.bytes, at(sigcontext + 144))).toBe(0x33);
    expect(readU64(frame.bytes, at(sigcontext + 160))).toBe(14);
    expect(readU64(frame.bytes, at(sigcontext + 176))).toBe(0x10);
    const fpstate = readU64(frame.bytes, at(sigcontext + 184));
    expect(fpstate % 64).toBe(0);
    expect(frame.bytes[at(fpstate)]).toBe(0xab);
    expect(SigSet.decode(frame.bytes, at(sigcontext + 256)).equals(blocked)).toBe(true);
    expect(readU32(frame.bytes, at(frame.infoAddress))).toBe(Signal.SIGSEGV);
    expect(readU64(frame.bytes, at(frame.infoAddress + 16))).toBe(0x10);

    enterHandler(context, frame, Signal.SIGSEGV, action);
    expect(context.rip).toBe(0x402000);
    expect(context.gprLo[Gpr.rdi]).toBe(Signal.SIGSEGV);
    expect(context.gprLo[Gpr.rsp]).toBe(frame.start % 2 ** 32 | 0);
    expect(context.gprLo[Gpr.rsi]).toBe(frame.infoAddress % 2 ** 32 | 0);
    expect(context.rflags & 0x400).toBe(0);
    expect(context.fpu[0]).toBe(0x7f);
  });

  it("round-trips through sigreturn, restoring only user-changeable flags", () => {
    const context = fakeContext();
    const before = { lo: [...context.gprLo], hi: [...context.gprHi], rip: context.rip };
    const frame = buildSignalFrame(context, { signal: Signal.SIGINT, code: SiCode.Kernel }, action, SigSet.of(Signal.SIGTERM));
    enterHandler(context, frame, Signal.SIGINT, action);
    // The handler returns: `ret` pops pretcode, the restorer issues rt_sigreturn.
    context.gprLo[Gpr.rsp] = ((context.gprLo[Gpr.rsp] ?? 0) + 8) | 0;
    const address = sigreturnFrameAddress(context);
    expect(address).toBe(frame.start);
    const tampered = frame.bytes.slice();
    const flagsByte1 = frame.ucontextAddress - frame.start + 40 + 137;
    tampered[flagsByte1] = (tampered[flagsByte1] ?? 0) | 0x30; // try to set IOPL via saved RFLAGS
    const result = restoreFromFrame(context, tampered);
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.mask.equals(SigSet.of(Signal.SIGTERM))).toBe(true);
      expect(result.fpstateAddress % 64).toBe(0);
    }
    expect([...context.gprLo]).toEqual(before.lo);
    expect([...context.gprHi]).toEqual(before.hi);
    expect(context.rip).toBe(before.rip);
    expect(context.rflags & 0x3000).toBe(0);
    expect(context.rflags & 0x400).toBe(0x400);
  });

  it("refuses a forged frame that would jump into the kernel half or misalign fpstate", () => {
    const context = fakeContext();
    const frame = buildSignalFrame(context, { signal: Signal.SIGINT, code: SiCode.Kernel }, action, SigSet.EMPTY);
    const rip = frame.ucontextAddress - frame.start + 40 + 128;
    const forged = frame.bytes.slice();
    forged.fill(0xff, rip, rip + 8);
    const snapshot = [...context.gprLo];
    expect(restoreFromFrame(context, forged)).toEqual({ ok: false, reason: "non-canonical or kernel RIP" });
    expect([...context.gprLo]).toEqual(snapshot);
    const misaligned = frame.bytes.slice();
    misaligned[frame.ucontextAddress - frame.start + 40 + 184] = 0x08;
    expect(restoreFromFrame(context, misaligned).ok).toBe(false);
    expect(restoreFromFrame(context, frame.bytes.subarray(0, 100)).ok).toBe(false);
  });

  it("switches to the alternate stack for SA_ONSTACK", () => {
    const context = fakeContext();
    const onstack = { ...action, flags: action.flags | SaFlag.ONSTACK };
    const frame = buildSignalFrame(context, { signal: Signal.SIGSEGV, code: 1 }, onstack, SigSet.EMPTY, { base: 0x600000, size: 0x4000 });
    expect(frame.start).toBeGreaterThanOrEqual(0x600000);
    expect(frame.start + frame.bytes.length).toBeLessThanOrEqual(0x604000);
  });
});
