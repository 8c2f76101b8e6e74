import { describe, expect, it } from "vitest";
import { createBoard } from "../src/board.ts";
import { BoardLayout, ExceptionVector, PageFaultError, UserExit, type Machine } from "../src/machine.ts";
import { EntryLow } from "../src/mmu/page-table-entry.ts";
import { PageTableBuilder } from "./support/page-tables.ts";

const CODE_VA = 0x40_0000;
const CODE_PA = 0x20_0000;

/** A board with the real x86-64 core and one user code page holding `code`. */
function machineWith(code: readonly number[]): { machine: Machine; tables: PageTableBuilder } {
  const board = createBoard({ memorySize: 8 << 20, console: { input: null, output: { write: () => undefined } }, clock: "deterministic" });
  const machine = board.machine;
  const tables = new PageTableBuilder(machine.memory.bytes, 0x30_0000);
  tables.map(CODE_VA, CODE_PA, { writable: false });
  machine.memory.bytes.set(code, CODE_PA);
  machine.cpu.cr3 = tables.cr3;
  return { machine, tables };
}

describe("user mode on the real core, through the board's MMU", () => {
  it("runs to a syscall with the Linux register convention", () => {
    const { machine, tables } = machineWith([0xbf, 0x2a, 0, 0, 0, 0xb8, 0x3c, 0, 0, 0, 0x0f, 0x05]);
    const context = machine.cpu.createContext();
    context.rip = CODE_VA;
    expect(machine.cpu.enterUser(context)).toBe(UserExit.Syscall);
    expect(context.gprLo[0]).toBe(60);
    expect(context.gprLo[7]).toBe(42);
    expect(context.gprLo[1]).toBe(CODE_VA + 12);
    const pte = tables.entryAddress(CODE_VA, 1);
    expect(tables.low(pte) & EntryLow.Accessed).toBe(EntryLow.Accessed);
  });

  it("reports a user page fault with CR2 and the error code", () => {
    const { machine } = machineWith([0x8b, 0x04, 0x25, 0x00, 0x00, 0x00, 0x50]);
    const context = machine.cpu.createContext();
    context.rip = CODE_VA;
    expect(machine.cpu.enterUser(context)).toBe(UserExit.Exception);
    expect(machine.cpu.exceptionVector).toBe(ExceptionVector.PageFault);
    expect(machine.cpu.faultAddress).toBe(0x5000_0000);
    expect(machine.cpu.errorCode).toBe(PageFaultError.User);
    expect(context.rip).toBe(CODE_VA);
  });

  it("a write to a read-only user page is a protection fault", () => {
    const { machine } = machineWith([0xc7, 0x04, 0x25, 0x00, 0x00, 0x40, 0x00, 0x01, 0x00, 0x00, 0x00]);
    const context = machine.cpu.createContext();
    context.rip = CODE_VA;
    expect(machine.cpu.enterUser(context)).toBe(UserExit.Exception);
    expect(machine.cpu.exceptionVector).toBe(ExceptionVector.PageFault);
    expect(machine.cpu.errorCode).toBe(PageFaultError.User | PageFaultError.Present | PageFaultError.Write);
  });

  it("an endless user loop is ended by the APIC timer at an instruction boundary, deterministically", () => {
    const retiredAtInterrupt = (): number => {
      const { machine } = machineWith([0xeb, 0xfe]);
      const apic = BoardLayout.localApicBase;
      machine.mmio.write(apic + 0xf0, 4, 0x1ff);
      machine.mmio.write(apic + 0x320, 4, 0x31);
      machine.mmio.write(apic + 0x380, 4, 50_000);
      const context = machine.cpu.createContext();
      context.rip = CODE_VA;
      expect(machine.cpu.enterUser(context)).toBe(UserExit.Interrupt);
      expect(context.rip).toBe(CODE_VA);
      expect(machine.cpu.takeInterrupt()).toBe(0x31);
      return machine.cpu.readTsc();
    };
    const first = retiredAtInterrupt();
    expect(first).toBeGreaterThanOrEqual(1_000_000);
    expect(retiredAtInterrupt()).toBe(first);
  });
});
