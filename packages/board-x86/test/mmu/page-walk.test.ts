import { describe, expect, it } from "vitest";
import { Access } from "../../src/cpu-wiring.ts";
import { ExceptionVector, PageFaultError as E } from "../../src/machine.ts";
import { Mmu } from "../../src/mmu/mmu.ts";
import { EntryHigh, EntryLow } from "../../src/mmu/page-table-entry.ts";
import { PageTableBuilder } from "../support/page-tables.ts";

const RAM_SIZE = 8 << 20;

function setup(options: { noExecuteEnabled?: boolean } = {}) {
  const ram = new Uint8Array(RAM_SIZE);
  const tables = new PageTableBuilder(ram, 0x10_0000);
  const mmu = new Mmu(ram, options);
  mmu.cr3 = tables.cr3;
  return { ram, tables, mmu };
}

function expectPageFault(mmu: Mmu, address: number, access: Access, errorCode: number): void {
  expect(mmu.translate(address, access)).toBe(-1);
  expect(mmu.faultVector).toBe(ExceptionVector.PageFault);
  expect(mmu.faultAddress).toBe(address);
  expect(mmu.faultErrorCode).toBe(errorCode);
}

describe("page walk: translations", () => {
  it("translates a 4 KiB page and keeps the page offset", () => {
    const { tables, mmu } = setup();
    tables.map(0x40_0000, 0x30_0000);
    expect(mmu.translate(0x40_0123, Access.Read)).toBe(0x30_0123);
    expect(mmu.translate(0x40_0fff, Access.Write)).toBe(0x30_0fff);
    expect(mmu.translate(0x40_0000, Access.Execute)).toBe(0x30_0000);
  });

  it("translates a 2 MiB page anywhere inside it", () => {
    const { tables, mmu } = setup();
    tables.map(0x20_0000_0000, 0x40_0000, { size: "2M" });
    expect(mmu.translate(0x20_0000_0000, Access.Read)).toBe(0x40_0000);
    expect(mmu.translate(0x20_001f_fffe, Access.Read)).toBe(0x5f_fffe);
  });

  it("translates a 1 GiB page", () => {
    const { tables, mmu } = setup();
    const pdpte = tables.entryAddress(0x40_0000_0000, 3);
    expect(pdpte).toBe(-1);
    tables.map(0x40_0000_0000, 0x30_0000);
    const entry = tables.entryAddress(0x40_0000_0000, 3);
    tables.write(entry, EntryLow.Present | EntryLow.User | EntryLow.Writable | EntryLow.PageSize, 0);
    mmu.flushAll();
    expect(mmu.translate(0x40_0012_3456, Access.Read)).toBe(0x12_3456);
  });

  it("sets the accessed bit at every level, and the dirty bit only on a write", () => {
    const { tables, mmu } = setup();
    tables.map(0x1000, 0x20_0000);
    expect(mmu.translate(0x1008, Access.Read)).toBe(0x20_0008);
    for (let level = 4; level >= 1; level--) {
      expect(tables.low(tables.entryAddress(0x1000, level)) & EntryLow.Accessed).toBe(EntryLow.Accessed);
    }
    const pte = tables.entryAddress(0x1000, 1);
    expect(tables.low(pte) & EntryLow.Dirty).toBe(0);
    expect(mmu.translate(0x1008, Access.Write)).toBe(0x20_0008);
    expect(tables.low(pte) & EntryLow.Dirty).toBe(EntryLow.Dirty);
    expect(tables.low(tables.entryAddress(0x1000, 2)) & EntryLow.Dirty).toBe(0);
  });

  it("sets the dirty bit in a 2 MiB leaf", () => {
    const { tables, mmu } = setup();
    tables.map(0x60_0000, 0x40_0000, { size: "2M" });
    mmu.translate(0x60_1000, Access.Write);
    const pde = tables.entryAddress(0x60_0000, 2);
    expect(tables.low(pde) & (EntryLow.Accessed | EntryLow.Dirty)).toBe(EntryLow.Accessed | EntryLow.Dirty);
  });

  it("a write hit on a clean TLB entry walks again and sets the dirty bit", () => {
    const { tables, mmu } = setup();
    tables.map(0x5000, 0x20_0000);
    mmu.translate(0x5000, Access.Read);
    const pte = tables.entryAddress(0x5000, 1);
    expect(tables.low(pte) & EntryLow.Dirty).toBe(0);
    mmu.translate(0x5000, Access.Write);
    expect(tables.low(pte) & EntryLow.Dirty).toBe(EntryLow.Dirty);
  });

  it("no side effects on a fault: no accessed or dirty bit on a denied write", () => {
    const { tables, mmu } = setup();
    tables.map(0x5000, 0x20_0000, { writable: false });
    expectPageFault(mmu, 0x5000, Access.Write, E.Present | E.Write | E.User);
    expect(tables.low(tables.entryAddress(0x5000, 1)) & (EntryLow.Accessed | EntryLow.Dirty)).toBe(0);
  });
});

describe("page walk: every fault case", () => {
  it("not present: read, write and fetch error codes", () => {
    const { mmu } = setup();
    expectPageFault(mmu, 0x7000, Access.Read, E.User);
    expectPageFault(mmu, 0x7000, Access.Write, E.User | E.Write);
    expectPageFault(mmu, 0x7000, Access.Execute, E.User | E.InstructionFetch);
  });

  it("not present at the last level only", () => {
    const { tables, mmu } = setup();
    tables.map(0x1000, 0x20_0000);
    expectPageFault(mmu, 0x2000, Access.Read, E.User);
  });

  it("supervisor page: protection fault with the user flag", () => {
    const { tables, mmu } = setup();
    tables.map(0x1000, 0x20_0000, { user: false });
    expectPageFault(mmu, 0x1000, Access.Read, E.Present | E.User);
  });

  it("supervisor at an upper level denies the whole subtree", () => {
    const { tables, mmu } = setup();
    tables.map(0x1000, 0x20_0000);
    const pde = tables.entryAddress(0x1000, 2);
    tables.write(pde, tables.low(pde) & ~EntryLow.User, 0);
    expectPageFault(mmu, 0x1000, Access.Read, E.Present | E.User);
  });

  it("read-only at any level denies writes but allows reads", () => {
    const { tables, mmu } = setup();
    tables.map(0x1000, 0x20_0000);
    const pdpte = tables.entryAddress(0x1000, 3);
    tables.write(pdpte, tables.low(pdpte) & ~EntryLow.Writable, 0);
    expect(mmu.translate(0x1000, Access.Read)).toBe(0x20_0000);
    expectPageFault(mmu, 0x1000, Access.Write, E.Present | E.Write | E.User);
  });

  it("no-execute denies fetches with the instruction-fetch flag", () => {
    const { tables, mmu } = setup();
    tables.map(0x1000, 0x20_0000, { noExecute: true });
    expect(mmu.translate(0x1000, Access.Read)).toBe(0x20_0000);
    expectPageFault(mmu, 0x1000, Access.Execute, E.Present | E.User | E.InstructionFetch);
  });

  it("no-execute in a PML4 entry applies to the whole subtree", () => {
    const { tables, mmu } = setup();
    tables.map(0x1000, 0x20_0000);
    const pml4e = tables.entryAddress(0x1000, 4);
    tables.write(pml4e, tables.low(pml4e), EntryHigh.NoExecute);
    expectPageFault(mmu, 0x1000, Access.Execute, E.Present | E.User | E.InstructionFetch);
  });

  it("with EFER.NXE off the XD bit is reserved and fetches carry no I/D flag", () => {
    const { tables, mmu } = setup({ noExecuteEnabled: false });
    tables.map(0x1000, 0x20_0000);
    tables.map(0x2000, 0x20_1000, { noExecute: true });
    expect(mmu.translate(0x1000, Access.Execute)).toBe(0x20_0000);
    expectPageFault(mmu, 0x2000, Access.Read, E.Present | E.User | E.ReservedBit);
    expectPageFault(mmu, 0x3000, Access.Execute, E.User);
  });

  it("reserved physical-address bits are a reserved-bit fault", () => {
    const { tables, mmu } = setup();
    tables.map(0x1000, 0x20_0000);
    const pte = tables.entryAddress(0x1000, 1);
    tables.write(pte, tables.low(pte), 1 << 16);
    expectPageFault(mmu, 0x1000, Access.Write, E.Present | E.Write | E.User | E.ReservedBit);
  });

  it("PS in a PML4 entry and stray bits in a 2 MiB leaf are reserved", () => {
    const { tables, mmu } = setup();
    tables.map(0x1000, 0x20_0000);
    const pml4e = tables.entryAddress(0x1000, 4);
    tables.write(pml4e, tables.low(pml4e) | EntryLow.PageSize, 0);
    expectPageFault(mmu, 0x1000, Access.Read, E.Present | E.User | E.ReservedBit);

    const second = setup();
    second.tables.map(0x20_0000, 0x40_0000, { size: "2M" });
    const pde = second.tables.entryAddress(0x20_0000, 2);
    second.tables.write(pde, second.tables.low(pde) | 0x2000, 0);
    expectPageFault(second.mmu, 0x20_0000, Access.Read, E.Present | E.User | E.ReservedBit);
  });

  it("a user page outside RAM is a reserved-bit fault, never a host error", () => {
    const { tables, mmu } = setup();
    tables.map(0x1000, 0xfee0_0000);
    tables.map(0x2000, RAM_SIZE);
    tables.map(0x3000, RAM_SIZE - 0x1000);
    expectPageFault(mmu, 0x1000, Access.Read, E.Present | E.User | E.ReservedBit);
    expectPageFault(mmu, 0x2000, Access.Write, E.Present | E.Write | E.User | E.ReservedBit);
    expect(mmu.translate(0x3fff, Access.Read)).toBe(RAM_SIZE - 1);
  });

  it("a page-table pointer outside RAM is a reserved-bit fault", () => {
    const { tables, mmu } = setup();
    tables.map(0x1000, 0x20_0000);
    const pde = tables.entryAddress(0x1000, 2);
    tables.write(pde, 0x7000_0000 | EntryLow.Present | EntryLow.User | EntryLow.Writable, 0);
    expectPageFault(mmu, 0x1000, Access.Read, E.Present | E.User | E.ReservedBit);
    mmu.cr3 = 0x7fff_f000;
    expectPageFault(mmu, 0x1000, Access.Read, E.Present | E.User | E.ReservedBit);
  });

  it("non-canonical addresses raise #GP, not #PF", () => {
    const { mmu } = setup();
    for (const address of [0x8000_0000_0000, 0xffff_0000_0000_0000 - 0x1_0000_0000_0000, -1, NaN, 2 ** 64]) {
      expect(mmu.translate(address, Access.Read)).toBe(-1);
      expect(mmu.faultVector).toBe(ExceptionVector.GeneralProtection);
      expect(mmu.faultErrorCode).toBe(0);
    }
  });

  it("upper-half canonical addresses are walked and fault as unmapped user accesses", () => {
    const { mmu } = setup();
    const kernelAddress = 2 ** 64 - 2 ** 40;
    expectPageFault(mmu, kernelAddress, Access.Read, E.User);
  });
});
