/**
 * X86Core's contract with the system side: how `run` ends (syscall, exceptions, interrupts),
 * what state a fault leaves behind, CPUID's baseline answers, and the FXSAVE image.
 */

import { describe, expect, it } from "vitest";
import { X86Core, CPUID_1_EDX } from "../../src/cpu/index.ts";
import { ExceptionVector, PageFaultError, UserExit } from "../../src/machine.ts";
import { Mmu } from "../../src/mmu/mmu.ts";
import { PageTableBuilder } from "../support/page-tables.ts";

const CODE = 0x40_0000;
const DATA = 0x60_0000;
const READ_ONLY = 0x61_0000;
const UNMAPPED = 0x62_0000;

function setup(code: readonly number[], pollResult = false) {
  const ram = new Uint8Array(4 << 20);
  const tables = new PageTableBuilder(ram, 0x10_0000);
  tables.map(CODE, 0x20_0000, { writable: false });
  tables.map(DATA, 0x20_1000);
  tables.map(READ_ONLY, 0x20_2000, { writable: false });
  tables.map(UNMAPPED - 0x1000, 0x20_3000);
  ram.set(code, 0x20_0000);
  const mmu = new Mmu(ram);
  mmu.cr3 = tables.cr3;
  const core = new X86Core(ram, mmu, { pollInterval: 1, poll: () => pollResult, readTsc: () => 0x1_2345_6789 });
  const context = core.createContext();
  context.rip = CODE;
  context.gprLo[4] = DATA + 0x1000;
  context.gprLo[3] = READ_ONLY;
  return { ram, core, context };
}

describe("X86Core run exits", () => {
  it("SYSCALL returns with RCX = next RIP and R11 = RFLAGS", () => {
    // stc; syscall
    const { core, context } = setup([0xf9, 0x0f, 0x05]);
    context.gprLo[0] = 60;
    expect(core.run(context)).toBe(UserExit.Syscall);
    expect(context.rip).toBe(CODE + 3);
    expect(context.gprLo[1]).toBe(CODE + 3);
    expect(context.gprLo[11]).toBe(0x203);
    expect(context.rflags).toBe(0x203);
    expect(core.instructionsRetired).toBe(2);
  });

  it("ends with Interrupt when the platform reports one, at an instruction boundary", () => {
    const { core, context } = setup([0x90, 0x90, 0x90], true);
    expect(core.run(context)).toBe(UserExit.Interrupt);
    expect(context.rip).toBe(CODE + 1);
  });

  it.each([
    ["ud2", [0x0f, 0x0b], ExceptionVector.InvalidOpcode],
    ["pshufb (SSSE3, not advertised)", [0x66, 0x0f, 0x38, 0x00, 0xc1], ExceptionVector.InvalidOpcode],
    ["popcnt (not advertised)", [0xf3, 0x0f, 0xb8, 0xc1], ExceptionVector.InvalidOpcode],
    ["xgetbv (no OSXSAVE)", [0x0f, 0x01, 0xd0], ExceptionVector.InvalidOpcode],
    ["cmpxchg16b (not advertised)", [0x48, 0x0f, 0xc7, 0x0b], ExceptionVector.InvalidOpcode],
    ["an opcode that does not exist in 64-bit mode (aaa)", [0x37], ExceptionVector.InvalidOpcode],
    ["hlt in ring 3", [0xf4], ExceptionVector.GeneralProtection],
    ["in al, dx in ring 3", [0xec], ExceptionVector.GeneralProtection],
    ["div by zero", [0x48, 0xf7, 0xf1], ExceptionVector.DivideError],
  ] as const)("%s raises its exception with RIP left on the instruction", (_name, code, vector) => {
    const { core, context } = setup([0x90, ...code]);
    expect(core.run(context)).toBe(UserExit.Exception);
    expect(core.exceptionVector).toBe(vector);
    expect(context.rip).toBe(CODE + 1);
  });

  it("FSCALE by an infinite or huge ST(1) ends (the differential fuzz once hung on it)", () => {
    // fld1; fldz; fdivp (ST0 = +inf); fldz; fscale; syscall
    const { core, context } = setup([0xd9, 0xe8, 0xd9, 0xee, 0xde, 0xf9, 0xd9, 0xee, 0xd9, 0xfd, 0x0f, 0x05]);
    expect(core.run(context)).toBe(UserExit.Syscall);
    expect(context.rip).toBe(CODE + 12);
  });

  it("INT3 is a trap: RIP points after it", () => {
    const { core, context } = setup([0xcc]);
    expect(core.run(context)).toBe(UserExit.Exception);
    expect(core.exceptionVector).toBe(ExceptionVector.Breakpoint);
    expect(context.rip).toBe(CODE + 1);
  });
});

describe("X86Core faults leave the architectural state unchanged", () => {
  it("ADC to a read-only page: #PF with the write error code, registers and flags intact", () => {
    // stc; adc [rbx], eax
    const { core, context } = setup([0xf9, 0x11, 0x03]);
    context.gprLo[0] = 5;
    expect(core.run(context)).toBe(UserExit.Exception);
    expect(core.exceptionVector).toBe(ExceptionVector.PageFault);
    expect(core.errorCode).toBe(PageFaultError.Present | PageFaultError.Write | PageFaultError.User);
    expect(core.faultAddress).toBe(READ_ONLY);
    expect(context.rip).toBe(CODE + 1);
    expect(context.rflags & 1).toBe(1);
  });

  it("a store that crosses into an unmapped page writes nothing", () => {
    // mov [rdx], rax with rdx 4 bytes before the end of the last mapped page
    const { ram, core, context } = setup([0x48, 0x89, 0x02]);
    context.gprLo[2] = UNMAPPED - 4;
    context.gprLo[0] = -1;
    expect(core.run(context)).toBe(UserExit.Exception);
    expect(core.exceptionVector).toBe(ExceptionVector.PageFault);
    expect(core.faultAddress).toBe(UNMAPPED);
    expect(Array.from(ram.subarray(0x20_3ffc, 0x20_4000))).toEqual([0, 0, 0, 0]);
  });

  it("a non-canonical address raises #GP", () => {
    // mov rax, [rdx] with rdx = 0x8000_0000_0000
    const { core, context } = setup([0x48, 0x8b, 0x02]);
    context.gprHi[2] = 0x8000;
    expect(core.run(context)).toBe(UserExit.Exception);
    expect(core.exceptionVector).toBe(ExceptionVector.GeneralProtection);
  });

  it("a page fault in the middle of REP MOVSB leaves RCX/RSI/RDI at the remaining work", () => {
    // rep movsb from DATA to UNMAPPED - 2, 8 bytes: 2 bytes copy, then #PF
    const { core, context } = setup([0xf3, 0xa4]);
    context.gprLo[6] = DATA;
    context.gprLo[7] = UNMAPPED - 2;
    context.gprLo[1] = 8;
    expect(core.run(context)).toBe(UserExit.Exception);
    expect(core.exceptionVector).toBe(ExceptionVector.PageFault);
    expect(context.gprLo[1]).toBe(6);
    expect(context.gprLo[7]).toBe(UNMAPPED);
    expect(context.rip).toBe(CODE);
  });

  it("writes to the code page through the MMU's permissions fault like any store", () => {
    const { core, context } = setup([0x48, 0x89, 0x02]);
    context.gprLo[2] = CODE;
    expect(core.run(context)).toBe(UserExit.Exception);
    expect(core.exceptionVector).toBe(ExceptionVector.PageFault);
  });
});

describe("X86Core CPUID, RDTSC and FPU state", () => {
  it("reports the x86-64 baseline only", () => {
    // cpuid; syscall
    const { core, context } = setup([0x0f, 0xa2, 0x0f, 0x05]);
    context.gprLo[0] = 1;
    core.run(context);
    expect(context.gprLo[2]).toBe(CPUID_1_EDX);
    expect(context.gprLo[1]).not.toBe(0);
    const again = setup([0x0f, 0xa2, 0x0f, 0x05]);
    again.context.gprLo[0] = 0x80000001 | 0;
    again.core.run(again.context);
    expect(again.context.gprLo[2]).toBe((1 << 11) | (1 << 20) | (1 << 29));
    expect(again.context.gprLo[3]).toBe(0);
  });

  it("RDTSC splits the platform counter into EDX:EAX", () => {
    const { core, context } = setup([0x0f, 0x31, 0x0f, 0x05]);
    core.run(context);
    expect(context.gprLo[0]).toBe(0x2345_6789);
    expect(context.gprLo[2]).toBe(1);
  });

  it("saves and restores the FXSAVE image, x87 registers in exact 80-bit form", () => {
    // fld1; fldpi; fdivp; movd xmm3, eax; syscall
    const { core, context } = setup([0xd9, 0xe8, 0xd9, 0xeb, 0xde, 0xf9, 0x66, 0x0f, 0x6e, 0xd8, 0x0f, 0x05]);
    context.gprLo[0] = 0x1234_5678;
    core.run(context);
    const image = new Uint8Array(512);
    context.saveFpu(image);
    expect(image[0]).toBe(0x7f);
    expect(image[24]).toBe(0x80);
    // 1/pi to 64 bits: 0xA2F9836E4E44152A (rounded to nearest), exponent 0x3FFD.
    expect(Array.from(image.subarray(32, 42))).toEqual([0x2a, 0x15, 0x44, 0x4e, 0x6e, 0x83, 0xf9, 0xa2, 0xfd, 0x3f]);
    expect(Array.from(image.subarray(160 + 48, 160 + 52))).toEqual([0x78, 0x56, 0x34, 0x12]);
    const copy = core.createContext();
    copy.restoreFpu(image);
    const again = new Uint8Array(512);
    copy.saveFpu(again);
    expect(again).toEqual(image);
    expect(() => copy.saveFpu(new Uint8Array(100))).toThrow(RangeError);
  });
});

describe("X86Core long string instructions", () => {
  it("a huge REP STOSB yields to poll with RCX/RDI describing the remaining work", () => {
    // rep stosb over 8 MiB of mapped 2 MiB pages: must come back through poll long before the end.
    const ram = new Uint8Array(16 << 20);
    const tables = new PageTableBuilder(ram, 0x10_0000);
    tables.map(CODE, 0x20_0000);
    for (let i = 0; i < 4; i++) tables.map(0x4000_0000 + i * 0x20_0000, 0x40_0000 + i * 0x20_0000, { size: "2M" });
    ram.set([0xf3, 0xaa], 0x20_0000);
    const mmu = new Mmu(ram);
    mmu.cr3 = tables.cr3;
    let polls = 0;
    const core = new X86Core(ram, mmu, { pollInterval: 1, poll: () => ++polls >= 3, readTsc: () => 0 });
    const context = core.createContext();
    context.rip = CODE;
    context.gprLo[7] = 0x4000_0000;
    context.gprLo[1] = 8 << 20;
    context.gprLo[0] = 0x5a;
    expect(core.run(context)).toBe(UserExit.Interrupt);
    const remaining = context.gprLo[1] ?? 0;
    expect(remaining).toBeGreaterThan(0);
    expect(remaining).toBeLessThan(8 << 20);
    expect(context.gprLo[7]).toBe(0x4000_0000 + (8 << 20) - remaining);
    expect(context.rip).toBe(CODE);
    expect(ram[0x40_0000]).toBe(0x5a);
    // Resuming finishes the job.
    const finish = new X86Core(ram, mmu, { pollInterval: 1 << 30, poll: () => false, readTsc: () => 0 });
    ram.set([0x0f, 0x05], 0x20_0002);
    expect(finish.run(context)).toBe(UserExit.Syscall);
    expect(context.gprLo[7]).toBe(0x4000_0000 + (8 << 20));
    expect(ram[0x40_0000 + (8 << 20) - 1]).toBe(0x5a);
  });
});

describe("X86Core on random bytes", () => {
  it("never throws a host exception: every outcome is a UserExit", () => {
    const ram = new Uint8Array(4 << 20);
    const tables = new PageTableBuilder(ram, 0x10_0000);
    tables.map(CODE, 0x20_0000);
    tables.map(DATA, 0x20_1000);
    const mmu = new Mmu(ram);
    mmu.cr3 = tables.cr3;
    let seed = 12345;
    const next = (): number => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return seed >>> 0;
    };
    const exits = new Set<number>();
    for (let round = 0; round < 3000; round++) {
      for (let i = 0; i < 4096; i++) ram[0x20_0000 + i] = next() & 0xff;
      let budget = 64;
      const core = new X86Core(ram, mmu, { pollInterval: 1, poll: () => --budget <= 0, readTsc: () => 0 });
      const context = core.createContext();
      context.rip = CODE + (next() & 0x7ff);
      for (let r = 0; r < 16; r++) context.gprLo[r] = r === 1 ? next() & 0xff : DATA + (next() & 0xff0);
      exits.add(core.run(context));
    }
    expect([...exits].every((exit) => exit === UserExit.Syscall || exit === UserExit.Exception || exit === UserExit.Interrupt)).toBe(true);
    expect(exits.has(UserExit.Exception)).toBe(true);
  });
});
