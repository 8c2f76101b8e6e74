/**
 * Multi-level page tables in RAM, walked by arch-neutral code.
 *
 * The arch port says how an entry is encoded (`PageTableFormat`); this file allocates the
 * table pages (typed frames: never mapped to users or devices), walks them, and writes
 * entries. It only ever installs untyped frames as leaves, which is what keeps user code
 * away from the tables themselves, from frame metadata (in the JS heap) and from every
 * other kernel-owned page. Only 4 KiB leaves are created.
 */
import type { PageTableFormat } from "../arch.ts";
import { ErrorCode, OstdError, type Result, fail, ok } from "../error.ts";
import { allocateFrames, frameTable, physicalMemory, releaseFrame, FrameUsage, PAGE_SIZE } from "./frames.ts";

const NO_MEMORY = -2;
const NOTHING_REPLACED: Result<number> = ok(-1);

/** Access rights of a user page. */
export const PageFlags = { Read: 1, Write: 2, Exec: 4 } as const;

/** Hardware-maintained status of a page. */
export const PageStatus = { Accessed: 1, Dirty: 2 } as const;

/** A leaf entry's contents. */
export interface PageEntry {
  readonly pfn: number;
  readonly flags: number;
  readonly status: number;
}

export class PageTable {
  readonly #format: PageTableFormat;
  readonly #words: Int32Array;
  readonly #rootPfn: number;
  readonly #entries: number;

  private constructor(format: PageTableFormat, rootPfn: number) {
    this.#format = format;
    // SAFETY: RAM is used only to build the entry view below.
    const memory = physicalMemory();
    // SAFETY: the view is used only to read and write entries of table frames this object
    // allocated (typed PageTable frames), at 8-byte aligned offsets inside RAM.
    this.#words = new Int32Array(memory.buffer, memory.byteOffset, memory.length >>> 2);
    this.#rootPfn = rootPfn;
    this.#entries = 2 ** format.indexBits;
  }

  static create(format: PageTableFormat): Result<PageTable> {
    const root = allocateFrames(1, FrameUsage.PageTable);
    return root.ok ? ok(new PageTable(format, root.value)) : root;
  }

  get rootPaddr(): number {
    return this.#rootPfn * PAGE_SIZE;
  }

  get userLimit(): number {
    return this.#format.userLimit;
  }

  /**
   * Word index of the leaf entry for `va`, allocating missing tables if `create`; -1 if a
   * table is absent, NO_MEMORY if one could not be allocated.
   */
  #leafSlot(va: number, create: boolean): number {
    const format = this.#format;
    let table = this.#rootPfn * PAGE_SIZE;
    for (let level = format.levels; level > 1; level--) {
      const slot = (table + this.#index(va, level) * 8) >>> 2;
      const lo = this.#words[slot] ?? 0;
      const hi = this.#words[slot + 1] ?? 0;
      if (format.isPresent(lo, hi)) {
        table = format.address(lo, hi);
        continue;
      }
      if (!create) return -1;
      const next = allocateFrames(1, FrameUsage.PageTable);
      if (!next.ok) return NO_MEMORY;
      table = next.value * PAGE_SIZE;
      this.#words[slot] = format.tableLo(table);
      this.#words[slot + 1] = format.tableHi(table);
    }
    return (table + this.#index(va, 1) * 8) >>> 2;
  }

  #index(va: number, level: number): number {
    return Math.floor(va / 2 ** (12 + (level - 1) * this.#format.indexBits)) & (this.#entries - 1);
  }

  /** Installs a leaf; returns the frame number it replaced, or -1. */
  map(va: number, pfn: number, flags: number): Result<number> {
    const slot = this.#leafSlot(va, true);
    if (slot === NO_MEMORY) return fail(ErrorCode.NoMemory, "no frame left for a page table");
    const format = this.#format;
    const oldLo = this.#words[slot] ?? 0;
    const oldHi = this.#words[slot + 1] ?? 0;
    const physical = pfn * PAGE_SIZE;
    this.#words[slot] = format.leafLo(physical, flags);
    this.#words[slot + 1] = format.leafHi(physical, flags);
    return format.isPresent(oldLo, oldHi) ? ok(format.address(oldLo, oldHi) / PAGE_SIZE) : NOTHING_REPLACED;
  }

  /** Clears a leaf; returns the frame number it mapped, or -1. */
  unmap(va: number): number {
    const slot = this.#leafSlot(va, false);
    if (slot < 0) return -1;
    const lo = this.#words[slot] ?? 0;
    const hi = this.#words[slot + 1] ?? 0;
    if (!this.#format.isPresent(lo, hi)) return -1;
    this.#words[slot] = 0;
    this.#words[slot + 1] = 0;
    return this.#format.address(lo, hi) / PAGE_SIZE;
  }

  /** Rewrites a leaf's flags; false if `va` is not mapped. */
  protect(va: number, flags: number): boolean {
    const slot = this.#leafSlot(va, false);
    if (slot < 0) return false;
    const old = this.#leafAt(slot);
    if (old === undefined) return false;
    this.#words[slot] = this.#format.leafLo(old.pfn * PAGE_SIZE, flags);
    this.#words[slot + 1] = this.#format.leafHi(old.pfn * PAGE_SIZE, flags);
    return true;
  }

  query(va: number): PageEntry | undefined {
    const slot = this.#leafSlot(va, false);
    return slot >= 0 ? this.#leafAt(slot) : undefined;
  }

  /** Physical address of `va` if the page allows the access, else -1 (no allocation: a hot path). */
  translate(va: number, write: boolean): number {
    const slot = this.#leafSlot(va, false);
    if (slot < 0) return -1;
    const lo = this.#words[slot] ?? 0;
    const hi = this.#words[slot + 1] ?? 0;
    if (!this.#format.isPresent(lo, hi)) return -1;
    const flags = this.#format.flags(lo, hi);
    if ((flags & (write ? PageFlags.Write : PageFlags.Read)) === 0) return -1;
    return this.#format.address(lo, hi) + (va % PAGE_SIZE);
  }

  #leafAt(slot: number): PageEntry | undefined {
    const lo = this.#words[slot] ?? 0;
    const hi = this.#words[slot + 1] ?? 0;
    if (!this.#format.isPresent(lo, hi)) return undefined;
    const format = this.#format;
    return { pfn: format.address(lo, hi) / PAGE_SIZE, flags: format.flags(lo, hi), status: format.status(lo, hi) };
  }

  /**
   * Frees every table page. `onLeaf` is called for each leaf still mapped so the owner can
   * drop its references first.
   */
  destroy(onLeaf: (va: number, pfn: number) => void): void {
    this.#destroyTable(this.#rootPfn * PAGE_SIZE, this.#format.levels, 0, onLeaf);
  }

  #destroyTable(table: number, level: number, base: number, onLeaf: (va: number, pfn: number) => void): void {
    const format = this.#format;
    const span = 2 ** (12 + (level - 1) * format.indexBits);
    for (let i = 0; i < this.#entries; i++) {
      const slot = (table + i * 8) >>> 2;
      const lo = this.#words[slot] ?? 0;
      const hi = this.#words[slot + 1] ?? 0;
      if (!format.isPresent(lo, hi)) continue;
      if (level === 1) onLeaf(base + i * span, format.address(lo, hi) / PAGE_SIZE);
      else this.#destroyTable(format.address(lo, hi), level - 1, base + i * span, onLeaf);
      this.#words[slot] = 0;
      this.#words[slot + 1] = 0;
    }
    const pfn = table / PAGE_SIZE;
    if (frameTable().usage(pfn) !== FrameUsage.PageTable) {
      throw new OstdError(ErrorCode.BadState, `page-table frame ${String(pfn)} lost its type`);
    }
    releaseFrame(pfn);
  }
}

export function checkUserRange(start: number, length: number, limit: number): Result<void> {
  if (!Number.isInteger(start) || !Number.isInteger(length) || start < 0 || length < 0 || start + length > limit) {
    return fail(ErrorCode.InvalidArgs, `range 0x${start.toString(16)}+${String(length)} is outside user space`);
  }
  if (start % PAGE_SIZE !== 0 || length % PAGE_SIZE !== 0) {
    return fail(ErrorCode.InvalidArgs, "range is not page aligned");
  }
  return ok(undefined);
}
