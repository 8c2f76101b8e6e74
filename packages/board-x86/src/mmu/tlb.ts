/**
 * The translation lookaside buffer: a direct-mapped cache of user translations, one entry
 * per 4 KiB virtual page, held in typed arrays so a hit costs one double compare.
 *
 * A 48-bit address space rules out a flat array indexed by page number (v86's trick for 32
 * bits), so the TLB is hashed like QEMU's softmmu: slot = page number & (size - 1), and the
 * tag is the full page number as a double. Each access kind has its own tag row, so the
 * permission check is folded into the tag compare: a page is entered in the write row only
 * when it is writable AND its dirty bit is already set (a write to a clean page misses and
 * walks again, which sets the bit), and in the execute row only when it is executable.
 *
 * Huge pages are splintered into 4 KiB entries; the entries remember that they came from a
 * 2 MiB or 1 GiB mapping so that INVLPG of any address in the huge page drops all of them,
 * as the architecture requires.
 *
 * A CR3 write happens on every switch between processes, so flushing must not cost a sweep
 * of all 4,096 slots (that sweep was ~10 µs, nearly all of a task switch). The TLB keeps a
 * list of the slots filled since the last flush and clears only those: the cost follows the
 * working set, typically tens of pages.
 */

import { PAGE_SIZE } from "./page-table-entry.ts";

export const TLB_BITS = 12;
export const TLB_SIZE = 1 << TLB_BITS;
export const TLB_MASK = TLB_SIZE - 1;

/** Per-entry properties besides the tag and the translation. */
const EntryKind = {
  Global: 1,
  Huge2M: 2,
  Huge1G: 4,
} as const;

const PAGES_PER_2M = 512;
const PAGES_PER_1G = 512 * 512;

/** What the page walker learned about one page, for `Tlb.fill`. */
export interface TlbFill {
  readonly page: number;
  readonly physicalPage: number;
  readonly writable: boolean;
  readonly executable: boolean;
  readonly global: boolean;
  /** Bytes of the mapping the page came from: 4 KiB, 2 MiB or 1 GiB. */
  readonly mappingSize: number;
}

export class Tlb {
  /**
   * Tags by access kind: row `access` (Read 0, Write 1, Execute 2) starts at
   * `access << TLB_BITS`. NaN marks an empty slot: it equals no page number, not even the
   * negative or non-canonical ones the CPU may ask about.
   */
  readonly tags = new Float64Array(3 * TLB_SIZE).fill(NaN);
  /** Physical minus virtual page base: a hit translates with one add. */
  readonly addends = new Float64Array(TLB_SIZE);
  private readonly kinds = new Uint8Array(TLB_SIZE);
  private hugeEntries = 0;
  /** Slots filled since the last flush (each once), so that flushes touch only those. */
  private readonly filledSlots = new Int32Array(TLB_SIZE);
  private readonly listed = new Uint8Array(TLB_SIZE);
  private filledCount = 0;

  fill(entry: TlbFill): void {
    const slot = entry.page & TLB_MASK;
    this.clearSlot(slot);
    if (this.listed[slot] === 0) {
      this.listed[slot] = 1;
      this.filledSlots[this.filledCount++] = slot;
    }
    this.tags[slot] = entry.page;
    this.tags[TLB_SIZE + slot] = entry.writable ? entry.page : NaN;
    this.tags[2 * TLB_SIZE + slot] = entry.executable ? entry.page : NaN;
    this.addends[slot] = (entry.physicalPage - entry.page) * PAGE_SIZE;
    let kind = entry.global ? EntryKind.Global : 0;
    if (entry.mappingSize > PAGE_SIZE) {
      kind |= entry.mappingSize > PAGES_PER_2M * PAGE_SIZE ? EntryKind.Huge1G : EntryKind.Huge2M;
      this.hugeEntries++;
    }
    this.kinds[slot] = kind;
  }

  /** INVLPG: drops the entry of `page`, and every splinter of a huge page containing it. */
  invalidatePage(page: number): void {
    const slot = page & TLB_MASK;
    if (this.tags[slot] === page) this.clearSlot(slot);
    if (this.hugeEntries === 0) return;
    const region2M = Math.floor(page / PAGES_PER_2M);
    const region1G = Math.floor(page / PAGES_PER_1G);
    for (let i = 0; i < TLB_SIZE; i++) {
      const kind = this.kinds[i] ?? 0;
      const tag = this.tags[i] ?? NaN;
      if (
        ((kind & EntryKind.Huge2M) !== 0 && Math.floor(tag / PAGES_PER_2M) === region2M) ||
        ((kind & EntryKind.Huge1G) !== 0 && Math.floor(tag / PAGES_PER_1G) === region1G)
      ) {
        this.clearSlot(i);
      }
    }
  }

  /** A CR3 write: drops every entry that is not global; global ones stay listed. */
  flushNonGlobal(): void {
    let kept = 0;
    for (let i = 0; i < this.filledCount; i++) {
      const slot = this.filledSlots[i] ?? 0;
      if (((this.kinds[slot] ?? 0) & EntryKind.Global) !== 0) {
        this.filledSlots[kept++] = slot;
      } else {
        this.clearSlot(slot);
        this.listed[slot] = 0;
      }
    }
    this.filledCount = kept;
  }

  /** Drops every entry, global ones included. */
  flushAll(): void {
    for (let i = 0; i < this.filledCount; i++) {
      const slot = this.filledSlots[i] ?? 0;
      this.clearSlot(slot);
      this.listed[slot] = 0;
    }
    this.filledCount = 0;
  }

  private clearSlot(slot: number): void {
    if (Number.isNaN(this.tags[slot])) return;
    if (((this.kinds[slot] ?? 0) & (EntryKind.Huge2M | EntryKind.Huge1G)) !== 0) this.hugeEntries--;
    this.tags[slot] = NaN;
    this.tags[TLB_SIZE + slot] = NaN;
    this.tags[2 * TLB_SIZE + slot] = NaN;
    this.kinds[slot] = 0;
  }
}
