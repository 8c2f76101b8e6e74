/**
 * A process's address space: the VMAs, the OSTD `VmSpace` that holds its page tables, and
 * the kernel's handle on every frame it maps.
 *
 * Pages are populated on demand: the page-fault hook finds the VMA, allocates a zeroed
 * untyped frame, fills it from the area's backing (file bytes, zeros past the end) and maps
 * it with the area's protection. fork shares every frame read-only between parent and child
 * (copy-on-write); the first write to a shared page copies it, or simply makes it writable
 * again once the other side has gone (the frame's `mapCount` says who else maps it).
 */

import { PageFlags, PAGE_SIZE, UntypedFrame, VmSpace, type PageFaultInfo } from "@asterism/ostd";
import { Errno, SyscallError } from "../errno.ts";
import { pageDown, pageUp } from "../elf/load-plan.ts";
import { VmAreas, type VmArea } from "./vm-areas.ts";

/** Where mmap without a hint starts looking, downward (below the stack). */
export const MMAP_CEILING = 0x7f00_0000_0000;
/** Lowest address mmap hands out without MAP_FIXED (Linux's mmap_min_addr is 64 KiB). */
export const MMAP_FLOOR = 0x1_0000;

function check<T>(result: { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: Error }, errno: Errno): T {
  if (result.ok) return result.value;
  throw new SyscallError(errno, result.error.message);
}

function pageFlags(prot: number): number {
  return prot & (PageFlags.Read | PageFlags.Write | PageFlags.Exec);
}

export class AddressSpace {
  readonly vmSpace: VmSpace;
  readonly areas: VmAreas;
  readonly #frames: Map<number, UntypedFrame>;
  #brkStart = 0;
  #brk = 0;

  private constructor(vmSpace: VmSpace, areas: VmAreas, frames: Map<number, UntypedFrame>) {
    this.vmSpace = vmSpace;
    this.areas = areas;
    this.#frames = frames;
    vmSpace.onPageFault((fault) => this.handleFault(fault));
  }

  static create(): AddressSpace {
    return new AddressSpace(check(VmSpace.create(), Errno.ENOMEM), new VmAreas(), new Map());
  }

  /** Pages currently backed by a frame. */
  get residentPages(): number {
    return this.#frames.size;
  }

  get brk(): number {
    return this.#brk;
  }

  /** Sets the initial program break (execve). */
  initBrk(start: number): void {
    this.#brkStart = start;
    this.#brk = start;
  }

  /** Adds an area (replacing what it overlaps); its pages appear on first touch. */
  map(area: VmArea): void {
    this.#dropPages(area.start, area.end);
    this.areas.insert(area);
  }

  /** munmap: removes the areas and frees their pages. */
  unmap(start: number, end: number): void {
    this.#dropPages(start, end);
    this.areas.remove(start, end);
  }

  /** mprotect: ENOMEM if part of the range is unmapped. */
  protect(start: number, end: number, prot: number): void {
    if (!this.areas.covers(start, end)) throw new SyscallError(Errno.ENOMEM, "mprotect of unmapped memory");
    this.areas.protect(start, end, prot);
    for (const [page, frame] of this.#frames) {
      if (page < start || page >= end) continue;
      const shared = frame.mapCount > 1;
      this.#setPageFlags(page, pageFlags(shared ? prot & ~PageFlags.Write : prot));
    }
  }

  /** brk(2): moves the break if the heap can grow there; returns the (possibly unchanged) break. */
  setBrk(requested: number): number {
    if (requested < this.#brkStart || !Number.isSafeInteger(requested)) return this.#brk;
    const oldEnd = pageUp(this.#brk);
    const newEnd = pageUp(requested);
    if (newEnd > oldEnd) {
      if (!this.areas.isFree(oldEnd, newEnd)) return this.#brk;
      if (oldEnd === pageUp(this.#brkStart) || !this.areas.resize(oldEnd, newEnd)) {
        this.areas.insert({ start: oldEnd, end: newEnd, prot: PageFlags.Read | PageFlags.Write, backing: undefined, name: "[heap]" });
      }
    } else if (newEnd < oldEnd) {
      this.unmap(newEnd, oldEnd);
    }
    this.#brk = requested;
    return requested;
  }

  /** The page-fault hook: demand paging and copy-on-write; false means SIGSEGV. */
  handleFault(fault: PageFaultInfo): boolean {
    const area = this.areas.find(fault.address);
    if (area === undefined) return false;
    const needed = fault.write ? PageFlags.Write : PageFlags.Read;
    if ((area.prot & needed) === 0) return false;
    const page = pageDown(fault.address);
    const existing = this.#frames.get(page);
    if (existing !== undefined) return fault.write ? this.#breakCopyOnWrite(page, existing, area) : false;
    const frame = check(UntypedFrame.alloc({ zeroed: true }), Errno.ENOMEM);
    this.#fill(frame, page, area);
    this.#install(page, frame, pageFlags(area.prot));
    return true;
  }

  /** fork: a copy-on-write duplicate of this address space. */
  fork(): AddressSpace {
    const child = new AddressSpace(check(VmSpace.create(), Errno.ENOMEM), this.areas.clone(), new Map());
    child.#brkStart = this.#brkStart;
    child.#brk = this.#brk;
    for (const [page, frame] of this.#frames) {
      const flags = (this.vmSpace.query(page)?.flags ?? 0) & ~PageFlags.Write;
      this.#setPageFlags(page, flags);
      child.#install(page, frame.clone(), flags);
    }
    return child;
  }

  /** Frees every page and the page tables (exit, execve). */
  destroy(): void {
    this.vmSpace.destroy();
    for (const frame of this.#frames.values()) frame.release();
    this.#frames.clear();
  }

  /** Copies from user memory; EFAULT where the process may not read. */
  async read(address: number, length: number): Promise<Uint8Array> {
    this.#checkRange(address, length);
    return check(await this.vmSpace.readBytes(address, length), Errno.EFAULT);
  }

  /** Copies into user memory; EFAULT where the process may not write. */
  async write(address: number, bytes: Uint8Array): Promise<void> {
    this.#checkRange(address, bytes.length);
    check(await this.vmSpace.writeBytes(address, bytes), Errno.EFAULT);
  }

  #checkRange(address: number, length: number): void {
    if (!Number.isSafeInteger(address) || !Number.isSafeInteger(length) || address < 0 || length < 0 || address + length > this.vmSpace.userLimit) {
      throw new SyscallError(Errno.EFAULT, "address outside user space");
    }
  }

  #breakCopyOnWrite(page: number, frame: UntypedFrame, area: VmArea): boolean {
    if (frame.mapCount <= 1) {
      this.#setPageFlags(page, pageFlags(area.prot));
      return true;
    }
    const copy = check(UntypedFrame.alloc({ zeroed: false }), Errno.ENOMEM);
    const contents = new Uint8Array(PAGE_SIZE);
    frame.read(0, contents);
    copy.write(0, contents);
    this.#install(page, copy, pageFlags(area.prot));
    frame.release();
    return true;
  }

  #fill(frame: UntypedFrame, page: number, area: VmArea): void {
    const backing = area.backing;
    if (backing === undefined) return;
    const inArea = page - area.start;
    const available = Math.min(PAGE_SIZE, backing.length - inArea);
    if (available <= 0) return;
    const from = backing.offset + inArea;
    const bytes = backing.bytes.subarray(from, Math.min(backing.bytes.length, from + available));
    frame.write(0, bytes);
  }

  /** Maps `frame` at `page`, taking ownership of the handle. */
  #install(page: number, frame: UntypedFrame, flags: number): void {
    const cursor = check(this.vmSpace.cursor(page, page + PAGE_SIZE), Errno.EFAULT);
    check(cursor.map(frame, flags), Errno.ENOMEM);
    this.#frames.set(page, frame);
  }

  #setPageFlags(page: number, flags: number): void {
    const cursor = check(this.vmSpace.cursor(page, page + PAGE_SIZE), Errno.EFAULT);
    check(cursor.protect(PAGE_SIZE, () => flags), Errno.EFAULT);
  }

  #dropPages(start: number, end: number): void {
    let any = false;
    for (const [page, frame] of this.#frames) {
      if (page < start || page >= end) continue;
      frame.release();
      this.#frames.delete(page);
      any = true;
    }
    if (!any) return;
    const cursor = check(this.vmSpace.cursor(start, end), Errno.EINVAL);
    check(cursor.unmap(end - start), Errno.EINVAL);
  }
}
