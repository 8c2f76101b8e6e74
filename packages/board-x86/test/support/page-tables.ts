/**
 * Test helper: builds real x86-64 4-level page tables in a RAM buffer, the way ostd-x86
 * will, so MMU and CPU tests can set up user address spaces in a few lines. Table frames are
 * taken upward from `tableArea`; intermediate entries are present, writable and user so that
 * the leaf alone decides the permissions (tests that need a restrictive upper level edit the
 * entry through `entryAddress`).
 */

import { EntryHigh, EntryLow, PAGE_SIZE, PAGE_SIZE_2M } from "../../src/mmu/page-table-entry.ts";

export interface MapOptions {
  readonly writable?: boolean;
  readonly user?: boolean;
  readonly noExecute?: boolean;
  readonly global?: boolean;
  readonly size?: "4K" | "2M";
}

const TWO_POW_32 = 0x1_0000_0000;
const LEVEL_SHIFT_DIVISOR = [0, 0x1000, 0x20_0000, 0x4000_0000, 0x80_0000_0000] as const;

export class PageTableBuilder {
  readonly cr3: number;
  private readonly view: DataView;
  private readonly ram: Uint8Array;
  private nextTable: number;

  constructor(ram: Uint8Array, tableArea: number) {
    this.ram = ram;
    this.view = new DataView(ram.buffer, ram.byteOffset, ram.byteLength);
    this.nextTable = tableArea;
    this.cr3 = this.allocateTable();
  }

  /** Maps the page at `va` to `pa` (a 4 KiB page by default, or a 2 MiB page). */
  map(va: number, pa: number, options: MapOptions = {}): void {
    const huge = options.size === "2M";
    const leafLevel = huge ? 2 : 1;
    let table = this.cr3;
    for (let level = 4; level > leafLevel; level--) {
      const entry = this.entryIn(table, va, level);
      if ((this.low(entry) & EntryLow.Present) === 0) {
        const next = this.allocateTable();
        const flags = EntryLow.Present | EntryLow.Writable | EntryLow.User;
        this.write(entry, (next % TWO_POW_32) | flags, Math.floor(next / TWO_POW_32));
      }
      table = this.address(entry);
    }
    const alignment = huge ? PAGE_SIZE_2M : PAGE_SIZE;
    if (pa % alignment !== 0 || va % alignment !== 0) throw new RangeError("map: unaligned page");
    let low = EntryLow.Present;
    if (options.writable ?? true) low |= EntryLow.Writable;
    if (options.user ?? true) low |= EntryLow.User;
    if (options.global ?? false) low |= EntryLow.Global;
    if (huge) low |= EntryLow.PageSize;
    const high = (options.noExecute ?? false) ? EntryHigh.NoExecute : 0;
    this.write(this.entryIn(table, va, leafLevel), (pa % TWO_POW_32) | low, Math.floor(pa / TWO_POW_32) | high);
  }

  /** Physical address of the entry for `va` at `level` (4 = PML4 ... 1 = PT), or -1 if absent. */
  entryAddress(va: number, level: number): number {
    let table = this.cr3;
    for (let current = 4; current > level; current--) {
      const entry = this.entryIn(table, va, current);
      if ((this.low(entry) & EntryLow.Present) === 0) return -1;
      table = this.address(entry);
    }
    return this.entryIn(table, va, level);
  }

  low(entry: number): number {
    return this.view.getUint32(entry, true);
  }

  high(entry: number): number {
    return this.view.getUint32(entry + 4, true);
  }

  write(entry: number, low: number, high: number): void {
    this.view.setUint32(entry, low >>> 0, true);
    this.view.setUint32(entry + 4, high >>> 0, true);
  }

  private entryIn(table: number, va: number, level: number): number {
    const index = Math.floor(va / (LEVEL_SHIFT_DIVISOR[level] ?? PAGE_SIZE)) & 511;
    return table + index * 8;
  }

  private address(entry: number): number {
    return (this.high(entry) & 0xfffff) * TWO_POW_32 + (this.low(entry) & 0xffff_f000);
  }

  private allocateTable(): number {
    const table = this.nextTable;
    if (table + PAGE_SIZE > this.ram.byteLength) throw new RangeError("PageTableBuilder: out of RAM");
    this.ram.fill(0, table, table + PAGE_SIZE);
    this.nextTable += PAGE_SIZE;
    return table;
  }
}
