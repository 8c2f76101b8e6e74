/**
 * The block translator's contract beyond instruction semantics (which the instruction and
 * program proofs check in both modes): translated code never runs stale after a guest store
 * or a kernel write, a fault in the middle of a block leaves the state before the faulting
 * instruction, and translated loops still poll the platform after exactly `pollInterval`
 * instructions.
 */

import { describe, expect, it } from "vitest";
import { X86Core } from "../../src/cpu/index.ts";
import { ExceptionVector, UserExit } from "../../src/machine.ts";
import { Mmu } from "../../src/mmu/mmu.ts";
import { PageTableBuilder } from "../support/page-tables.ts";

const CODE = 0x40_0000;
const CODE_FRAME = 0x20_0000;
const STACK = 0x60_0000;
const UNMAPPED = 0x70_0000;

/** A core that translates every block on its first run, code on a writable page. */
function setup(code: ReadonlyMap<number, readonly number[]>, pollInterval = 1 << 20) {
  const ram = new Uint8Array(4 << 20);
  const tables = new PageTableBuilder(ram, 0x10_0000);
  tables.map(CODE, CODE_FRAME);
  tables.map(STACK, 0x20_1000);
  for (const [address, bytes] of code) ram.set(bytes, CODE_FRAME + address - CODE);
  const mmu = new Mmu(ram);
  mmu.cr3 = tables.cr3;
  const polls: number[] = [];
  const core = new X86Core(
    ram,
    mmu,
    { pollInterval, poll: (retired) => (polls.push(retired), false), readTsc: () => 0 },
    { compileThreshold: 1 },
  );
  const context = core.createContext();
  context.rip = CODE;
  context.gprLo[4] = STACK + 0x800;
  return { ram, core, context, polls };
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
});
