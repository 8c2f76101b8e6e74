/**
 * VmSpace: a user address space, with cursors to map, unmap, protect and query pages, TLB
 * flushes, a page-fault hook and fallible copies to and from user memory.
 *
 * Only untyped frames can be mapped, and every mapping holds a reference on its frame, so a
 * frame is never given back to the allocator while a page table still points at it. Page
 * faults that user code raises (and copies that hit a missing page) go to the handler the
 * kernel installs with `onPageFault`: that is where demand paging and copy-on-write live.
 */
import { arch } from "../boot/machine-state.ts";
import { ErrorCode, OstdError, type Result, fail, ok } from "../error.ts";
import { UntypedFrame } from "./frame.ts";
import { frameTable, releaseFrame, FrameUsage, PAGE_SIZE } from "./frames.ts";
import { checkUserRange, PageTable, type PageEntry } from "./page-table.ts";
import { makeReader, makeWriter, type VmReader, type VmWriter } from "./vm-io.ts";

/** A page fault as the kernel's handler sees it. */
export interface PageFaultInfo {
  readonly address: number;
  readonly write: boolean;
  /** The page was present: a protection fault (e.g. a write to a copy-on-write page). */
  readonly present: boolean;
}

/** Resolves a fault (maps or fixes the page) and returns true, or returns false to report it. */
export type PageFaultHandler = (fault: PageFaultInfo) => boolean | Promise<boolean>;

/** Flushing more pages than this one by one costs more than a full flush. */
const FULL_FLUSH_THRESHOLD = 32;

/** Root of the page table loaded in the CPU, or -1. */
let activeRoot = -1;

export class VmSpace {
  readonly #table: PageTable;
  #faultHandler: PageFaultHandler | undefined;
  #destroyed = false;

  private constructor(table: PageTable) {
    this.#table = table;
  }

  static create(): Result<VmSpace> {
    const table = PageTable.create(arch().pageTable);
    return table.ok ? ok(new VmSpace(table.value)) : table;
  }

  /** Exclusive end of the user address range. */
  get userLimit(): number {
    return this.#table.userLimit;
  }

  get isActive(): boolean {
    return activeRoot === this.#table.rootPaddr;
  }

  /** A cursor over the page-aligned range [start, end). */
  cursor(start: number, end: number): Result<VmSpaceCursor> {
    this.#checkAlive();
    const range = checkUserRange(start, end - start, this.userLimit);
    return range.ok ? ok(new VmSpaceCursor(this, this.#table, start, end)) : range;
  }

  /** What is mapped at `va`, if anything. */
  query(va: number): PageEntry | undefined {
    this.#checkAlive();
    return this.#table.query(va - (va % PAGE_SIZE));
  }

  /** Makes this the address space user code runs in. */
  activate(): void {
    this.#checkAlive();
    const root = this.#table.rootPaddr;
    if (activeRoot === root) return;
    // SAFETY: the table maps only untyped frames at user addresses, and OSTD built every level.
    arch().cpu.activatePageTable(root);
    activeRoot = root;
  }

  onPageFault(handler: PageFaultHandler): void {
    this.#faultHandler = handler;
  }

  /** Runs the installed page-fault handler; false when there is none or it declined. */
  async handlePageFault(fault: PageFaultInfo): Promise<boolean> {
    const handler = this.#faultHandler;
    return handler === undefined ? false : await handler(fault);
  }

  /** A reader over user memory; reads fail with `PageFault` where the user may not read. */
  reader(va: number, length: number): VmReader {
    return makeReader((address, write) => this.#translate(address, write), va, this.#checkWindow(va, length));
  }

  /** A writer over user memory; writes fail with `PageFault` where the user may not write. */
  writer(va: number, length: number): VmWriter {
    return makeWriter((address, write) => this.#translate(address, write), va, this.#checkWindow(va, length));
  }

  /** Copies from user memory, letting the fault handler page in what is missing. */
  async readBytes(va: number, length: number): Promise<Result<Uint8Array>> {
    const bytes = new Uint8Array(length);
    const result = await this.#copyWithFaults(va, length, false, (window) =>
      this.reader(va + window, length - window).read(bytes.subarray(window)),
    );
    return result.ok ? ok(bytes) : result;
  }

  /** Copies into user memory, letting the fault handler page in (or un-share) what is needed. */
  async writeBytes(va: number, bytes: Uint8Array): Promise<Result<void>> {
    return this.#copyWithFaults(va, bytes.length, true, (window) =>
      this.writer(va + window, bytes.length - window).write(bytes.subarray(window)),
    );
  }

  async #copyWithFaults(va: number, length: number, write: boolean, copy: (done: number) => Result<number>): Promise<Result<void>> {
    let done = 0;
    let lastFault = -1;
    while (done < length) {
      const step = copy(done);
      if (step.ok) {
        done += step.value;
        continue;
      }
      const address = step.error.address ?? va + done;
      if (address === lastFault) return step;
      lastFault = address;
      done = address - va;
      const present = this.query(address) !== undefined;
      if (!(await this.handlePageFault({ address, write, present }))) return step;
    }
    return ok(undefined);
  }

  /** Unmaps everything and frees the page tables; the space is unusable afterwards. */
  destroy(): void {
    if (this.#destroyed) return;
    // A later space may reuse this root frame: force the next activation to reload CR3.
    if (this.isActive) activeRoot = -1;
    const table = frameTable();
    this.#table.destroy((_va, pfn) => {
      table.removeMapping(pfn);
      releaseFrame(pfn);
    });
    this.#destroyed = true;
  }

  /** Flushes the TLB for `pages` pages from `va` if this space is live on the CPU (cursor-internal). */
  flush(va: number, pages: number): void {
    if (!this.isActive || pages === 0) return;
    const cpu = arch().cpu;
    // SAFETY: OSTD owns these page tables; flushing only drops stale translations.
    if (pages > FULL_FLUSH_THRESHOLD) cpu.flushAll();
    // SAFETY: as above, for each page changed.
    else for (let i = 0; i < pages; i++) cpu.flushPage(va + i * PAGE_SIZE);
  }

  #translate(address: number, write: boolean): number {
    if (this.#destroyed || address < 0 || address >= this.userLimit) return -1;
    return this.#table.translate(address, write);
  }

  #checkWindow(va: number, length: number): number {
    this.#checkAlive();
    if (!Number.isInteger(va) || !Number.isInteger(length) || length < 0) {
      throw new OstdError(ErrorCode.InvalidArgs, "bad user memory window");
    }
    return length;
  }

  #checkAlive(): void {
    if (this.#destroyed) throw new OstdError(ErrorCode.BadState, "the VmSpace was destroyed");
  }
}

/** A position inside a VmSpace range from which pages are mapped, unmapped, protected or queried. */
export class VmSpaceCursor {
  readonly #space: VmSpace;
  readonly #table: PageTable;
  readonly #start: number;
  readonly #end: number;
  #va: number;

  constructor(space: VmSpace, table: PageTable, start: number, end: number) {
    if (!(table instanceof PageTable)) throw new OstdError(ErrorCode.AccessDenied, "cursors are created by VmSpace");
    this.#space = space;
    this.#table = table;
    this.#start = start;
    this.#end = end;
    this.#va = start;
  }

  get va(): number {
    return this.#va;
  }

  /** Moves to a page-aligned address inside the cursor's range. */
  jump(va: number): Result<void> {
    if (va % PAGE_SIZE !== 0 || va < this.#start || va >= this.#end) {
      return fail(ErrorCode.InvalidArgs, `0x${va.toString(16)} is outside the cursor range`);
    }
    this.#va = va;
    return ok(undefined);
  }

  /** What is mapped at the cursor. */
  query(): PageEntry | undefined {
    return this.#table.query(this.#va);
  }

  /**
   * Maps `frame` at the cursor with `PageFlags` bits `flags` and moves one page on. The
   * mapping takes its own reference; the caller keeps (and may release) its handle.
   */
  map(frame: UntypedFrame, flags: number): Result<void> {
    const pfn = UntypedFrame.frameNumber(frame);
    const table = frameTable();
    if (table.usage(pfn) !== FrameUsage.Untyped) {
      return fail(ErrorCode.AccessDenied, `frame ${String(pfn)} is not untyped memory`);
    }
    if (this.#va >= this.#end) return fail(ErrorCode.InvalidArgs, "the cursor is at the end of its range");
    table.addRef(pfn);
    table.addMapping(pfn);
    const replaced = this.#table.map(this.#va, pfn, flags);
    if (!replaced.ok) {
      table.removeMapping(pfn);
      releaseFrame(pfn);
      return replaced;
    }
    if (replaced.value >= 0) {
      table.removeMapping(replaced.value);
      releaseFrame(replaced.value);
      this.#space.flush(this.#va, 1);
    }
    this.#va += PAGE_SIZE;
    return ok(undefined);
  }

  /** Unmaps `length` bytes (page multiple) from the cursor on and moves past them. */
  unmap(length: number): Result<void> {
    const range = this.#checkLength(length);
    if (!range.ok) return range;
    const table = frameTable();
    const start = this.#va;
    const unmapped: number[] = [];
    for (let va = start; va < start + length; va += PAGE_SIZE) {
      const pfn = this.#table.unmap(va);
      if (pfn < 0) continue;
      table.removeMapping(pfn);
      unmapped.push(pfn);
    }
    // Stale TLB entries go before any of the frames can be reused.
    if (unmapped.length > 0) this.#space.flush(start, length / PAGE_SIZE);
    for (const pfn of unmapped) releaseFrame(pfn);
    this.#va = start + length;
    return ok(undefined);
  }

  /** Changes the flags of every mapped page in the next `length` bytes and moves past them. */
  protect(length: number, update: (flags: number) => number): Result<void> {
    const range = this.#checkLength(length);
    if (!range.ok) return range;
    const start = this.#va;
    let changed = 0;
    for (let va = start; va < start + length; va += PAGE_SIZE) {
      const entry = this.#table.query(va);
      if (entry !== undefined && this.#table.protect(va, update(entry.flags))) changed++;
    }
    this.#space.flush(start, changed === 0 ? 0 : length / PAGE_SIZE);
    this.#va = start + length;
    return ok(undefined);
  }

  #checkLength(length: number): Result<void> {
    if (!Number.isInteger(length) || length < 0 || length % PAGE_SIZE !== 0 || this.#va + length > this.#end) {
      return fail(ErrorCode.InvalidArgs, `length ${String(length)} is not a page multiple inside the cursor range`);
    }
    return ok(undefined);
  }
}
