import { describe, expect, it } from "vitest";
import { Access } from "../../src/cpu-wiring.ts";
import { Mmu } from "../../src/mmu/mmu.ts";
import { PageTableBuilder } from "../support/page-tables.ts";

function setup() {
  const ram = new Uint8Array(8 << 20);
  const tables = new PageTableBuilder(ram, 0x10_0000);
  const mmu = new Mmu(ram);
  mmu.cr3 = tables.cr3;
  return { tables, mmu };
}

describe("TLB flush rules", () => {
  it("keeps a stale translation until INVLPG, as the architecture allows", () => {
    const { tables, mmu } = setup();
    tables.map(0x1000, 0x20_0000);
    expect(mmu.translate(0x1000, Access.Read)).toBe(0x20_0000);
    tables.map(0x1000, 0x30_0000);
    expect(mmu.translate(0x1000, Access.Read)).toBe(0x20_0000);
    mmu.invalidatePage(0x1abc);
    expect(mmu.translate(0x1000, Access.Read)).toBe(0x30_0000);
  });

  it("INVLPG of one address drops every splinter of a 2 MiB page", () => {
    const { tables, mmu } = setup();
    tables.map(0x20_0000, 0x40_0000, { size: "2M" });
    expect(mmu.translate(0x20_0000, Access.Read)).toBe(0x40_0000);
    expect(mmu.translate(0x3f_f000, Access.Read)).toBe(0x5f_f000);
    tables.map(0x20_0000, 0x60_0000, { size: "2M" });
    mmu.invalidatePage(0x21_0000);
    expect(mmu.translate(0x20_0000, Access.Read)).toBe(0x60_0000);
    expect(mmu.translate(0x3f_f000, Access.Read)).toBe(0x7f_f000);
  });

  it("a CR3 write flushes non-global entries and keeps global ones", () => {
    const { tables, mmu } = setup();
    tables.map(0x1000, 0x20_0000);
    tables.map(0x2000, 0x20_1000, { global: true });
    mmu.translate(0x1000, Access.Read);
    mmu.translate(0x2000, Access.Read);
    const empty = tables.cr3 + 0x8_0000;
    mmu.cr3 = empty;
    expect(mmu.translate(0x1000, Access.Read)).toBe(-1);
    expect(mmu.translate(0x2000, Access.Read)).toBe(0x20_1000);
    mmu.flushAll();
    expect(mmu.translate(0x2000, Access.Read)).toBe(-1);
  });

  it("every CR3 write flushes all entries filled since the last one, across refills of one slot", () => {
    const { tables, mmu } = setup();
    const pages = [0x1000, 0x2000, 0x9000];
    pages.forEach((page, index) => tables.map(page, 0x20_0000 + index * 0x1000));
    const empty = tables.cr3 + 0x8_0000;
    for (let round = 0; round < 3; round++) {
      mmu.cr3 = tables.cr3;
      for (const page of pages) expect(mmu.translate(page, Access.Read)).toBeGreaterThan(0);
      mmu.invalidatePage(0x2000);
      expect(mmu.translate(0x2000, Access.Read)).toBe(0x20_1000);
      mmu.cr3 = empty;
      for (const page of pages) expect(mmu.translate(page, Access.Read)).toBe(-1);
    }
  });

  it("a TLB hit still enforces the access kind", () => {
    const { tables, mmu } = setup();
    tables.map(0x1000, 0x20_0000, { writable: false, noExecute: true });
    expect(mmu.translate(0x1000, Access.Read)).toBe(0x20_0000);
    expect(mmu.translate(0x1000, Access.Write)).toBe(-1);
    expect(mmu.translate(0x1000, Access.Execute)).toBe(-1);
  });

  it("pages that collide in one TLB slot translate independently", () => {
    const { tables, mmu } = setup();
    const stride = 4096 * 4096;
    tables.map(0x1000, 0x20_0000);
    tables.map(0x1000 + stride, 0x30_0000);
    for (let round = 0; round < 3; round++) {
      expect(mmu.translate(0x1004, Access.Read)).toBe(0x20_0004);
      expect(mmu.translate(0x1004 + stride, Access.Read)).toBe(0x30_0004);
    }
  });

  it("negative addresses never hit an empty slot", () => {
    const { mmu } = setup();
    expect(mmu.translate(-4000, Access.Read)).toBe(-1);
  });
});
