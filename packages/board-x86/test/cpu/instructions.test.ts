/**
 * Instruction-level proof: thousands of generated cases (random operands, every flag-setting
 * integer form, SSE/SSE2 register forms) run natively through the gcc-built harness and on
 * X86Core; registers, defined flags, XMM registers and memory must match.
 */

import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { compile, hasCompiler } from "./support/build-programs.ts";
import { CaseRunner } from "./support/case-runner.ts";
import {
  CASE_SIZE,
  generateDivisionCases,
  generateIntegerCases,
  generateSseCases,
  generateX87Cases,
  Layout,
  prepareState,
  Random,
  type InstructionCase,
} from "./support/instruction-cases.ts";

const HARNESS = new URL("./harness/instruction-harness.c", import.meta.url).pathname;

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
}

/** Runs `cases` natively and emulated; returns a description of every mismatch. */
function compareWithHost(cases: readonly InstructionCase[], seed: number, compileThreshold: number): string[] {
  const random = new Random(seed);
  const input = new Uint8Array(cases.length * CASE_SIZE);
  cases.forEach((instruction, i) => prepareState(random, instruction, input.subarray(i * CASE_SIZE, (i + 1) * CASE_SIZE)));
  const harness = compile(HARNESS, "gcc", ["-O1"]);
  const native = spawnSync(harness, [], { input, maxBuffer: input.length * 2 });
  if (native.status !== 0) throw new Error(`harness failed: ${native.stderr.toString()}`);
  const expected = new Uint8Array(native.stdout);
  const runner = new CaseRunner(compileThreshold);
  const failures: string[] = [];
  cases.forEach((instruction, i) => {
    const state = input.slice(i * CASE_SIZE, (i + 1) * CASE_SIZE);
    const before = state.slice();
    const outcome = runner.run(state);
    const want = expected.subarray(i * CASE_SIZE, (i + 1) * CASE_SIZE);
    const problems: string[] = [];
    const hostSignal = new DataView(want.buffer, want.byteOffset, CASE_SIZE).getUint32(Layout.signal, true);
    if (hostSignal !== 0) {
      // The generator only makes non-faulting cases: a host signal means a broken case.
      failures.push(`${instruction.name} [${hex(instruction.bytes)}]: host raised signal ${hostSignal} (core: ${outcome})`);
      return;
    }
    if (outcome !== "ok") problems.push(outcome);
    const got = new DataView(state.buffer);
    const exp = new DataView(want.buffer, want.byteOffset, CASE_SIZE);
    for (let r = 0; r < 16; r++) {
      if (r === 4) continue;
      const a = got.getBigUint64(Layout.gpr + r * 8, true);
      const b = exp.getBigUint64(Layout.gpr + r * 8, true);
      if (a !== b) problems.push(`r${r} got ${a.toString(16)} want ${b.toString(16)}`);
    }
    const flagsGot = got.getUint32(Layout.rflags, true) & instruction.flagsMask;
    const flagsWant = exp.getUint32(Layout.rflags, true) & instruction.flagsMask;
    if (flagsGot !== flagsWant) problems.push(`flags got ${flagsGot.toString(16)} want ${flagsWant.toString(16)}`);
    // MXCSR: rounding control and the IE/ZE/OE/UE/PE flags (DE is not modelled).
    const mxcsrGot = got.getUint32(Layout.mxcsr, true) & ~2;
    const mxcsrWant = exp.getUint32(Layout.mxcsr, true) & ~2;
    if (mxcsrGot !== mxcsrWant) problems.push(`mxcsr got ${mxcsrGot.toString(16)} want ${mxcsrWant.toString(16)}`);
    for (let x = 0; x < 16; x++) {
      const a = hex(state.subarray(Layout.xmm + x * 16, Layout.xmm + x * 16 + 16));
      const b = hex(want.subarray(Layout.xmm + x * 16, Layout.xmm + x * 16 + 16));
      if (a !== b) problems.push(`xmm${x} got ${a} want ${b}`);
    }
    if (hex(state.subarray(Layout.mem, Layout.mem + 256)) !== hex(want.subarray(Layout.mem, Layout.mem + 256))) problems.push("memory differs");
    if (instruction.name.startsWith("x87")) problems.push(...compareX87(state, want));
    if (problems.length > 0) {
      const inputs = Array.from({ length: 16 }, (_, r) => `r${r}=${new DataView(before.buffer).getBigUint64(Layout.gpr + r * 8, true).toString(16)}`).join(" ");
      failures.push(`${instruction.name} [${hex(instruction.bytes)}] flags-in ${new DataView(before.buffer).getUint32(Layout.rflags, true).toString(16)}: ${problems.join("; ")}\n    ${inputs}`);
    }
  });
  return failures;
}

/**
 * x87 state: FCW, the FSW condition codes and TOP (C1 and the exception bits are not
 * modelled), the abridged tag word, and every register in use as 80-bit bytes.
 */
function compareX87(got: Uint8Array, want: Uint8Array): string[] {
  const problems: string[] = [];
  const g = new DataView(got.buffer, got.byteOffset + Layout.fpu, 512);
  const w = new DataView(want.buffer, want.byteOffset + Layout.fpu, 512);
  if (g.getUint16(0, true) !== w.getUint16(0, true)) problems.push(`fcw got ${g.getUint16(0, true).toString(16)} want ${w.getUint16(0, true).toString(16)}`);
  const fswMask = 0x4000 | 0x3800 | 0x400 | 0x100;
  const fswGot = g.getUint16(2, true) & fswMask;
  const fswWant = w.getUint16(2, true) & fswMask;
  if (fswGot !== fswWant) problems.push(`fsw got ${fswGot.toString(16)} want ${fswWant.toString(16)}`);
  const tags = w.getUint8(4);
  if (g.getUint8(4) !== tags) problems.push(`tags got ${g.getUint8(4).toString(16)} want ${tags.toString(16)}`);
  const top = (w.getUint16(2, true) >> 11) & 7;
  for (let i = 0; i < 8; i++) {
    if ((tags & (1 << ((top + i) & 7))) === 0) continue;
    const a = hex(got.subarray(Layout.fpu + 32 + i * 16, Layout.fpu + 42 + i * 16));
    const b = hex(want.subarray(Layout.fpu + 32 + i * 16, Layout.fpu + 42 + i * 16));
    if (a !== b) problems.push(`st${i} got ${a} want ${b}`);
  }
  return problems;
}

/** The interpreter alone, and every case translated to JavaScript on its first run. */
const MODES = [
  ["interpreter", Infinity],
  ["block translator", 1],
] as const;

describe.runIf(hasCompiler("gcc")).each(MODES)("instructions against the host CPU (%s)", { timeout: 60_000 }, (_mode, threshold) => {
  it("integer forms: registers, defined flags and memory match", () => {
    const failures = compareWithHost(generateIntegerCases(new Random(1), 20), 101, threshold);
    expect(failures.slice(0, 15)).toEqual([]);
  });

  it("x87 forms match: registers in exact 80-bit form, condition codes, tags, memory", () => {
    const failures = compareWithHost(generateX87Cases(new Random(4), 40), 404, threshold);
    expect(failures.slice(0, 15)).toEqual([]);
  });

  it("MUL/IMUL/DIV/IDIV in all widths match", () => {
    const failures = compareWithHost(generateDivisionCases(new Random(2), 60), 202, threshold);
    expect(failures.slice(0, 15)).toEqual([]);
  });

  it("SSE/SSE2 register and memory forms match, MXCSR included, with NaN and infinity lanes", () => {
    const failures = compareWithHost(generateSseCases(new Random(3), 40), 303, threshold);
    expect(failures.slice(0, 15)).toEqual([]);
  });
});
