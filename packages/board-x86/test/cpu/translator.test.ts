/**
 * The block translator's contract beyond instruction semantics (which the instruction and
 * program proofs check in both modes): translated code never runs stale after a guest store
 * or a kernel write, a fault in the middle of a block leaves the state before the faulting
 * instruction, and translated loops still poll the platform after exactly `pollInterval`
 * instructions.
 */

import { describe, expect, it } from "vitest";
import { X86Core } from "../../src/cpu/index.ts";
import { decodeInsn, Op } from "../../src/cpu/jit/decode.ts";
import { ExceptionVector, UserExit } from "../../src/machine.ts";
import { Mmu } from "../../src/mmu/mmu.ts";
import { PageTableBuilder } from "../support/page-tables.ts";

const CODE = 0x40_0000;
const CODE_FRAME = 0x20_0000;
const STACK = 0x60_0000;
const UNMAPPED = 0x70_0000;

/** A core that translates every block on its first run (or never), code on a writable page. */
function setup(code: ReadonlyMap<number, readonly number[]>, pollInterval = 1 << 20, compileThreshold = 1) {
  const ram = new Uint8Array(4 << 20);
  const tables = new PageTableBuilder(ram, 0x10_0000);
  tables.map(CODE, CODE_FRAME);
  tables.map(STACK, 0x20_1000);
  // Page 0: [reg + disp8] operands of zeroed registers land here (the length fuzz below).
  tables.map(0, 0x20_2000);
  for (const [address, bytes] of code) ram.set(bytes, CODE_FRAME + address - CODE);
  const mmu = new Mmu(ram);
  mmu.cr3 = tables.cr3;
  const polls: number[] = [];
  const core = new X86Core(
    ram,
    mmu,
    { pollInterval, poll: (retired) => (polls.push(retired), pollInterval === 1), readTsc: () => 0 },
    { compileThreshold },
  );
  const context = core.createContext();
  context.rip = CODE;
  context.gprLo[4] = STACK + 0x800;
  return { ram, core, context, polls };
}

/** A small deterministic generator: random(limit) is in [0, limit). */
function seededRandom(seed: number): (limit: number) => number {
  let state = seed;
  return (limit) => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) % limit;
  };
}

/**
 * 16 random instruction bytes: some `prefixes`, a 0F escape one time in `twoByteOneIn`, and
 * register-form ModRM bytes half of the time (so fewer cases end in a page fault).
 */
function randomInstruction(random: (limit: number) => number, prefixes: readonly number[], twoByteOneIn: number): number[] {
  const bytes: number[] = [];
  while (random(3) === 0) bytes.push(prefixes[random(prefixes.length)] ?? 0x66);
  if (random(twoByteOneIn) === 0) bytes.push(0x0f);
  while (bytes.length < 16) bytes.push(random(2) === 0 ? 0xc0 | random(64) : random(256));
  return bytes;
}

describe("block translator", () => {
  it("a guest store into translated code takes effect the next time that code runs, in the same run", () => {
    const { core, context } = setup(
      new Map([
        [
          CODE,
          [
            ...[0xb9, 3, 0, 0, 0], // mov ecx, 3
            ...[0x31, 0xdb], // xor ebx, ebx
            ...[0xe8, 0xf4, 0, 0, 0], // loop: call 0x400100
            ...[0x01, 0xc3], // add ebx, eax
            ...[0xc6, 0x04, 0x25, 0x01, 0x01, 0x40, 0x00, 5], // mov byte [0x400101], 5
            ...[0xff, 0xc9], // dec ecx
            ...[0x75, 0xed], // jnz loop
            ...[0x0f, 0x05], // syscall
          ],
        ],
        [CODE + 0x100, [0xb8, 1, 0, 0, 0, 0xc3]], // mov eax, 1; ret
      ]),
    );
    expect(core.run(context)).toBe(UserExit.Syscall);
    // 1 before the patch, then 5 twice: a stale translation would give 3.
    expect(context.gprLo[3]).toBe(11);
  });

  it("code the kernel rewrites between runs is decoded again", () => {
    const { ram, core, context } = setup(new Map([[CODE, [0xb8, 7, 0, 0, 0, 0x0f, 0x05]]]));
    expect(core.run(context)).toBe(UserExit.Syscall);
    expect(context.gprLo[0]).toBe(7);
    ram[CODE_FRAME + 1] = 9;
    context.rip = CODE;
    expect(core.run(context)).toBe(UserExit.Syscall);
    expect(context.gprLo[0]).toBe(9);
  });

  it("a fault in the middle of a translated block leaves registers, flags and RIP as before the faulting instruction", () => {
    const { core, context } = setup(
      new Map([
        [
          CODE,
          [
            ...[0xb8, 1, 0, 0, 0], // mov eax, 1
            ...[0x83, 0xc3, 0x02], // add ebx, 2
            ...[0x39, 0xc0], // cmp eax, eax (ZF = 1)
            ...[0x8b, 0x0c, 0x25, 0x00, 0x00, 0x70, 0x00], // mov ecx, [0x700000] (unmapped)
            ...[0xba, 3, 0, 0, 0], // mov edx, 3
            ...[0x0f, 0x05], // syscall
          ],
        ],
      ]),
    );
    context.gprLo[1] = 0x1234;
    expect(core.run(context)).toBe(UserExit.Exception);
    expect(core.exceptionVector).toBe(ExceptionVector.PageFault);
    expect(core.faultAddress).toBe(UNMAPPED);
    expect(context.rip).toBe(CODE + 10);
    expect([context.gprLo[0], context.gprLo[3], context.gprLo[1], context.gprLo[2]]).toEqual([1, 2, 0x1234, 0]);
    expect(context.rflags & 0x40).toBe(0x40);
    expect(core.instructionsRetired).toBe(3);
  });

  it("a translated loop polls the platform after exactly every pollInterval instructions", () => {
    const { core, context, polls } = setup(
      new Map([
        [
          CODE,
          [
            ...[0xba, 0xd0, 0x07, 0, 0], // mov edx, 2000
            ...[0xff, 0xca], // loop: dec edx
            ...[0x75, 0xfc], // jnz loop
            ...[0x0f, 0x05], // syscall
          ],
        ],
      ]),
      1000,
    );
    expect(core.run(context)).toBe(UserExit.Syscall);
    expect(context.gprLo[2]).toBe(0);
    expect(core.instructionsRetired).toBe(4002);
    expect(polls).toEqual([1000, 2000, 3000, 4000]);
  });

  it("its decoder agrees with the interpreter on the length of 100,000 random instructions it decodes itself", () => {
    const prefixes = [0x66, 0xf2, 0xf3, 0x2e, 0x3e, 0x26, 0x64, 0x65, 0x67, 0xf0, 0x40, 0x41, 0x44, 0x48, 0x49, 0x4c, 0x4d];
    const leavesOrInterpreted = new Set<Op>([Op.Jcc, Op.Jmp, Op.Call, Op.Ret, Op.JmpIndirect, Op.CallIndirect, Op.Tail]);
    const random = seededRandom(12345);
    const mismatches: string[] = [];
    let compared = 0;
    const { ram, core, context } = setup(new Map(), 1, Infinity);
    for (let i = 0; i < 100_000; i++) {
      const bytes = randomInstruction(random, prefixes, 2);
      const insn = decodeInsn(Uint8Array.from(bytes), 0, 16, CODE);
      if (leavesOrInterpreted.has(insn.op)) continue;
      ram.set(bytes, CODE_FRAME);
      context.gprLo.fill(0);
      context.gprHi.fill(0);
      context.gprLo[4] = STACK + 0x800;
      context.rip = CODE;
      if (core.run(context) !== UserExit.Interrupt) continue;
      compared++;
      if (context.rip - CODE !== insn.length) {
        const hex = bytes.map((b) => b.toString(16).padStart(2, "0")).join(" ");
        mismatches.push(`[${hex}]: translator ${insn.length}, interpreter ${context.rip - CODE}`);
      }
    }
    expect(mismatches.slice(0, 10)).toEqual([]);
    expect(compared).toBeGreaterThan(20_000);
  });

  it("translated code leaves the same state as the interpreter on random instructions (about 4,000 of 20,000 byte strings decode to translated forms)", { timeout: 120_000 }, () => {
    const random = seededRandom(777);
    const both = differentialCores();
    const differences: string[] = [];
    let compared = 0;
    for (let i = 0; i < 20_000 && differences.length < 10; i++) {
      const bytes = randomInstruction(random, DIFFERENTIAL_PREFIXES, 3);
      const insn = decodeInsn(Uint8Array.from(bytes), 0, 16, CODE);
      if (!TRANSLATED.has(insn.op)) continue;
      compared++;
      const difference = both.compare([...bytes.slice(0, insn.length), 0xcc], random);
      if (difference !== null) differences.push(difference);
    }
    expect(differences).toEqual([]);
    expect(compared).toBeGreaterThan(3_000);
  });

  it("translated code leaves the same state as the interpreter on 3,000 random sequences (flags, faults, RFLAGS at a fault, side exits)", { timeout: 120_000 }, () => {
    const random = seededRandom(4242);
    const both = differentialCores();
    const differences: string[] = [];
    for (let i = 0; i < 3_000 && differences.length < 10; i++) {
      const code: number[] = [];
      for (let count = 2 + random(5); count > 0; count--) {
        if (random(5) === 0) {
          // A conditional branch to the next instruction: a side exit that changes nothing but the block.
          code.push(0x70 | random(16), 0x00);
          continue;
        }
        const bytes = randomInstruction(random, DIFFERENTIAL_PREFIXES, 3);
        const insn = decodeInsn(Uint8Array.from(bytes), 0, 16, CODE);
        if (TRANSLATED.has(insn.op) || insn.op === Op.Interpret) code.push(...bytes.slice(0, insn.length));
      }
      const difference = both.compare([...code, 0xcc], random);
      if (difference !== null) differences.push(difference);
    }
    expect(differences).toEqual([]);
  });
});

/** Prefixes the differential tests put before random opcodes. */
const DIFFERENTIAL_PREFIXES = [0x66, 0xf2, 0xf3, 0x64, 0x40, 0x41, 0x44, 0x48, 0x49, 0x4c, 0x4d, 0x45];
/** Forms the translator emits itself (not left to the interpreter, not control flow). */
const TRANSLATED = new Set<Op>(
  Object.values(Op).filter(
    (op) => op !== Op.Interpret && op !== Op.Tail && op !== Op.Jcc && op !== Op.Jmp && op !== Op.Call && op !== Op.Ret && op !== Op.JmpIndirect && op !== Op.CallIndirect,
  ),
);

/**
 * An interpreter-only core and a translate-everything core that run the same code from the
 * same random registers, memory, XMM registers and flags; `compare` describes how their
 * results differ (exit, vector, RIP, RFLAGS, every register, MXCSR, memory), or is null.
 */
function differentialCores(): { compare(code: readonly number[], random: (limit: number) => number): string | null } {
  const interpreter = setup(new Map(), 1 << 20, Infinity);
  const translator = setup(new Map(), 1 << 20, 1);
  return {
    compare(code, random) {
      const registers = Array.from({ length: 32 }, (_, r) => (r >= 16 && random(2) === 0 ? 0 : random(2) === 0 ? random(64) : random(0x10000) * 0x10000 + random(0x10000)) | 0);
      const page = Array.from({ length: 4096 }, () => random(256));
      const xmm = Array.from({ length: 256 }, () => random(256));
      const flags = 0x202 | (random(0x1000) & 0x8d5);
      const results = [interpreter, translator].map(({ ram, core, context }) => {
        ram.set(code, CODE_FRAME);
        ram.set(page, 0x20_2000);
        for (let r = 0; r < 16; r++) {
          context.gprLo[r] = registers[r] ?? 0;
          context.gprHi[r] = registers[r + 16] ?? 0;
        }
        context.gprLo[4] = STACK + 0x800;
        context.gprHi[4] = 0;
        context.xmmBytes.set(xmm);
        context.rflags = flags;
        context.rip = CODE;
        const exit = core.run(context);
        return JSON.stringify({
          exit,
          vector: core.exceptionVector,
          rip: context.rip,
          rflags: context.rflags,
          lo: Array.from(context.gprLo),
          hi: Array.from(context.gprHi),
          xmm: Buffer.from(context.xmmBytes.subarray(0, 256)).toString("base64"),
          mxcsr: context.mxcsr,
          memory: Buffer.from(ram.subarray(0x20_1000, 0x20_3000)).toString("base64"),
        });
      });
      if (results[0] === results[1]) return null;
      return `${code.map((b) => b.toString(16).padStart(2, "0")).join(" ")}\n${results[0]?.slice(0, 160) ?? ""}\n${results[1]?.slice(0, 160) ?? ""}`;
    },
  };
}
