/**
 * Per-frame metadata: what every physical page is used for, how many handles refer to it,
 * and how many page-table entries map it.
 *
 * This table is OSTD's ground truth about physical memory. The frame allocator is an
 * injectable policy, so its answers are checked against this table: a frame is handed out
 * only if the table says it is free and usable RAM. Typed frames (page tables, OSTD's own)
 * are never given to services, user space or devices; untyped frames are the only memory
 * that reaches them. The table lives in the JavaScript heap, outside the board's RAM, so no
 * user program or device can reach it even in principle.
 */
import { OstdError } from "../error.ts";

export const PAGE_SIZE = 4096;
export const PAGE_SHIFT = 12;

/** What a physical frame is used for. */
export const FrameUsage = {
  /** Not RAM, or RAM the loader reserved (boot info, initramfs, firmware). */
  Unusable: 0,
  /** Usable RAM owned by the frame allocator. */
  Free: 1,
  /** Handed out as untyped memory: may be mapped to users and devices. */
  Untyped: 2,
  /** A page-table page: typed, never mapped to users or devices. */
  PageTable: 3,
} as const;
export type FrameUsage = (typeof FrameUsage)[keyof typeof FrameUsage];

export class FrameTable {
  readonly frameCount: number;
  readonly #usage: Uint8Array;
  readonly #refs: Int32Array;
  readonly #mappings: Int32Array;

  /** `usable` lists page-aligned ranges of RAM the allocator may hand out. */
  constructor(memorySize: number, usable: readonly { base: number; length: number }[]) {
    this.frameCount = Math.floor(memorySize / PAGE_SIZE);
    this.#usage = new Uint8Array(this.frameCount);
    this.#refs = new Int32Array(this.frameCount);
    this.#mappings = new Int32Array(this.frameCount);
    for (const region of usable) {
      const first = Math.ceil(region.base / PAGE_SIZE);
      const end = Math.min(this.frameCount, Math.floor((region.base + region.length) / PAGE_SIZE));
      this.#usage.fill(FrameUsage.Free, first, Math.max(first, end));
    }
  }

  usage(pfn: number): FrameUsage {
    return (this.#usage[pfn] ?? FrameUsage.Unusable) as FrameUsage;
  }

  refCount(pfn: number): number {
    return this.#refs[pfn] ?? 0;
  }

  mapCount(pfn: number): number {
    return this.#mappings[pfn] ?? 0;
  }

  /** Whether `count` frames from `pfn` are all free usable RAM. */
  allFree(pfn: number, count: number): boolean {
    if (!Number.isInteger(pfn) || !Number.isInteger(count) || count < 1) return false;
    if (pfn < 0 || pfn + count > this.frameCount) return false;
    for (let i = pfn; i < pfn + count; i++) {
      if (this.#usage[i] !== FrameUsage.Free) return false;
    }
    return true;
  }

  /** Marks free frames as in use with one reference each. */
  claim(pfn: number, count: number, usage: FrameUsage): void {
    for (let i = pfn; i < pfn + count; i++) {
      this.#usage[i] = usage;
      this.#refs[i] = 1;
      this.#mappings[i] = 0;
    }
  }

  addRef(pfn: number): void {
    this.#checkLive(pfn);
    this.#refs[pfn] = (this.#refs[pfn] ?? 0) + 1;
  }

  /** Drops one reference; returns true when it was the last one (the caller frees the frame). */
  dropRef(pfn: number): boolean {
    this.#checkLive(pfn);
    const left = (this.#refs[pfn] ?? 0) - 1;
    this.#refs[pfn] = left;
    if (left > 0) return false;
    if (this.mapCount(pfn) !== 0) {
      throw new OstdError("BadState", `frame ${String(pfn)} lost its last reference while still mapped`);
    }
    this.#usage[pfn] = FrameUsage.Free;
    return true;
  }

  addMapping(pfn: number): void {
    this.#mappings[pfn] = this.mapCount(pfn) + 1;
  }

  removeMapping(pfn: number): void {
    this.#mappings[pfn] = this.mapCount(pfn) - 1;
  }

  /** Runs of free frames, for handing memory to a newly injected allocator. */
  freeRuns(): { start: number; count: number }[] {
    const runs: { start: number; count: number }[] = [];
    let start = -1;
    for (let pfn = 0; pfn <= this.frameCount; pfn++) {
      const free = pfn < this.frameCount && this.#usage[pfn] === FrameUsage.Free;
      if (free && start < 0) start = pfn;
      if (!free && start >= 0) {
        runs.push({ start, count: pfn - start });
        start = -1;
      }
    }
    return runs;
  }

  #checkLive(pfn: number): void {
    const usage = this.usage(pfn);
    if (usage !== FrameUsage.Untyped && usage !== FrameUsage.PageTable) {
      throw new OstdError("BadState", `frame ${String(pfn)} is not in use`);
    }
  }
}
