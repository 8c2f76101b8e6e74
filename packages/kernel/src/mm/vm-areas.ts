/**
 * The list of virtual memory areas (VMAs) of a process: which address ranges exist, with
 * which protection, and what fills their pages on first touch (zeros, or bytes of a file).
 *
 * This is the bookkeeping behind mmap, munmap, mprotect and brk, kept apart from the page
 * tables so that its splitting and merging rules are tested without any memory: the page
 * tables only ever hold pages that lie inside an area and agree with its protection.
 */

import { PAGE_SIZE } from "../elf/elf-file.ts";

/** What a page of the area holds before it is first written. */
export interface AreaBacking {
  /** The file contents (an immutable snapshot for private mappings). */
  readonly bytes: Uint8Array;
  /** File offset of the area's first byte. */
  readonly offset: number;
  /** Bytes of the area that come from the file; the rest reads as zeros (ELF bss). */
  readonly length: number;
}

export interface VmArea {
  readonly start: number;
  readonly end: number;
  /** `Prot` bits. */
  readonly prot: number;
  readonly backing: AreaBacking | undefined;
  /** A short label for /proc/<pid>/maps ("[heap]", "[stack]", a path). */
  readonly name: string;
}

/** The part [start, end) of `area`, with its file backing moved along. */
function sliceArea(area: VmArea, start: number, end: number): VmArea {
  const delta = start - area.start;
  const backing =
    area.backing === undefined
      ? undefined
      : { bytes: area.backing.bytes, offset: area.backing.offset + delta, length: Math.max(0, area.backing.length - delta) };
  return { ...area, start, end, backing };
}

export class VmAreas {
  /** Sorted by start, non-overlapping. */
  #areas: VmArea[] = [];

  get areas(): readonly VmArea[] {
    return this.#areas;
  }

  find(address: number): VmArea | undefined {
    return this.#areas.find((area) => address >= area.start && address < area.end);
  }

  /** Inserts an area, replacing whatever overlapped it (MAP_FIXED semantics). */
  insert(area: VmArea): void {
    if (area.start % PAGE_SIZE !== 0 || area.end % PAGE_SIZE !== 0 || area.end <= area.start) {
      throw new RangeError(`area ${area.start.toString(16)}-${area.end.toString(16)} is not a page range`);
    }
    this.remove(area.start, area.end);
    this.#areas.push(area);
    this.#areas.sort((a, b) => a.start - b.start);
  }

  /** Removes [start, end), splitting areas that straddle the edges. */
  remove(start: number, end: number): void {
    this.#areas = this.#areas.flatMap((area) => {
      if (area.end <= start || area.start >= end) return [area];
      const kept: VmArea[] = [];
      if (area.start < start) kept.push(sliceArea(area, area.start, start));
      if (area.end > end) kept.push(sliceArea(area, end, area.end));
      return kept;
    });
  }

  /** Whether every page of [start, end) lies in some area. */
  covers(start: number, end: number): boolean {
    let cursor = start;
    for (const area of this.#areas) {
      if (area.end <= cursor) continue;
      if (area.start > cursor) return false;
      cursor = area.end;
      if (cursor >= end) return true;
    }
    return cursor >= end;
  }

  /** Sets the protection of [start, end), splitting at the edges. */
  protect(start: number, end: number, prot: number): void {
    this.#areas = this.#areas.flatMap((area) => {
      if (area.end <= start || area.start >= end) return [area];
      const pieces: VmArea[] = [];
      if (area.start < start) pieces.push(sliceArea(area, area.start, start));
      pieces.push({ ...sliceArea(area, Math.max(area.start, start), Math.min(area.end, end)), prot });
      if (area.end > end) pieces.push(sliceArea(area, end, area.end));
      return pieces;
    });
  }

  /** Changes the end of the area that ends at `oldEnd` (brk); false if there is none. */
  resize(oldEnd: number, newEnd: number): boolean {
    const index = this.#areas.findIndex((area) => area.end === oldEnd);
    const area = this.#areas[index];
    if (area === undefined) return false;
    if (newEnd <= area.start) this.#areas.splice(index, 1);
    else this.#areas[index] = { ...area, end: newEnd };
    return true;
  }

  /**
   * The highest free gap of `length` bytes below `ceiling` and above `floor` (mmap without
   * MAP_FIXED grows down from the top, like Linux), or undefined.
   */
  findFree(length: number, floor: number, ceiling: number): number | undefined {
    let top = ceiling;
    for (let index = this.#areas.length - 1; index >= -1; index--) {
      const area = this.#areas[index];
      const bottom = area === undefined ? floor : Math.max(floor, area.end);
      if (area !== undefined && area.start >= top) continue;
      if (top - bottom >= length) return top - length;
      if (area === undefined) break;
      top = Math.min(top, area.start);
      if (top <= floor) break;
    }
    return undefined;
  }

  isFree(start: number, end: number): boolean {
    return this.#areas.every((area) => area.end <= start || area.start >= end);
  }

  clone(): VmAreas {
    const copy = new VmAreas();
    copy.#areas = [...this.#areas];
    return copy;
  }
}
