/**
 * Untyped frames and segments: the handles through which services own physical memory.
 *
 * An `UntypedFrame` is one 4 KiB page of RAM whose contents are plain data; it is the only
 * kind of memory that may be mapped into user space or given to a device. Each handle
 * holds one reference counted in the frame table; `clone()` takes another, `release()`
 * gives it back, and the frame returns to the allocator only when the last reference
 * (including the ones page-table mappings hold) is gone. So a frame is never reused while
 * something still maps it. Handles cannot be forged: they are created only inside OSTD
 * (module-private token), and `isUntypedFrame` is a `#private` brand check.
 */
import { ErrorCode, OstdError, type Result, ok } from "../error.ts";
import { allocateFrames, frameTable, physicalMemory, releaseFrame, FrameUsage, PAGE_SIZE } from "./frames.ts";
import { makeReader, makeWriter, ownedMemory, type VmReader, type VmWriter } from "./vm-io.ts";

const CONSTRUCT = Symbol("frame");

export interface FrameAllocOptions {
  /** Fill with zeros before returning (default true). */
  readonly zeroed?: boolean;
}

export class UntypedFrame {
  readonly #pfn: number;
  #live = true;

  constructor(token: symbol, pfn: number) {
    if (token !== CONSTRUCT) throw new OstdError(ErrorCode.AccessDenied, "frames are created by OSTD only");
    this.#pfn = pfn;
  }

  /** Allocates one frame of untyped memory. */
  static alloc(options: FrameAllocOptions = {}): Result<UntypedFrame> {
    const pfn = allocateFrames(1, FrameUsage.Untyped, options.zeroed ?? true);
    return pfn.ok ? ok(new UntypedFrame(CONSTRUCT, pfn.value)) : pfn;
  }

  /** Whether `value` is a genuine, live frame handle made by OSTD. */
  static isUntypedFrame(value: unknown): value is UntypedFrame {
    return typeof value === "object" && value !== null && #pfn in value && value.#live;
  }

  /** Physical address of the frame's first byte. */
  get paddr(): number {
    return this.#check() * PAGE_SIZE;
  }

  get size(): number {
    return PAGE_SIZE;
  }

  /** References to this frame: handles plus mappings. */
  get refCount(): number {
    return frameTable().refCount(this.#check());
  }

  /** Page-table entries that map this frame. */
  get mapCount(): number {
    return frameTable().mapCount(this.#check());
  }

  /** A new handle to the same frame. */
  clone(): UntypedFrame {
    frameTable().addRef(this.#check());
    return new UntypedFrame(CONSTRUCT, this.#pfn);
  }

  /** Gives this handle's reference back; the handle is dead afterwards. */
  release(): void {
    releaseFrame(this.#check());
    this.#live = false;
  }

  reader(offset = 0, length = PAGE_SIZE - offset): VmReader {
    return makeReader(ownedMemory(() => this.#live), this.paddr + checkWindow(offset, length, PAGE_SIZE), length);
  }

  writer(offset = 0, length = PAGE_SIZE - offset): VmWriter {
    return makeWriter(ownedMemory(() => this.#live), this.paddr + checkWindow(offset, length, PAGE_SIZE), length);
  }

  /** Copies the whole contents of `source` into this frame (copy-on-write breaks, fork). */
  copyFrom(source: UntypedFrame): void {
    const target = this.#check() * PAGE_SIZE;
    const from = UntypedFrame.frameNumber(source) * PAGE_SIZE;
    // SAFETY: both ranges are whole frames held by live handles; copyWithin stays inside RAM.
    physicalMemory().copyWithin(target, from, from + PAGE_SIZE);
  }

  /** Copies bytes out of the frame. */
  read(offset: number, into: Uint8Array): void {
    this.reader(offset, into.length).read(into);
  }

  /** Copies bytes into the frame. */
  write(offset: number, bytes: Uint8Array): void {
    this.writer(offset, bytes.length).write(bytes);
  }

  /** The frame number, after checking the handle is live (OSTD-internal). */
  static frameNumber(frame: UntypedFrame): number {
    if (!UntypedFrame.isUntypedFrame(frame)) {
      throw new OstdError(ErrorCode.AccessDenied, "not a live frame handle made by OSTD");
    }
    return frame.#pfn;
  }

  #check(): number {
    if (!this.#live) throw new OstdError(ErrorCode.BadState, "use of a released frame handle");
    return this.#pfn;
  }
}

/** A physically contiguous run of untyped frames (DMA buffers, large allocations). */
export class Segment {
  readonly #frames: readonly UntypedFrame[];
  #live = true;

  constructor(token: symbol, frames: readonly UntypedFrame[]) {
    if (token !== CONSTRUCT) throw new OstdError(ErrorCode.AccessDenied, "segments are created by OSTD only");
    this.#frames = frames;
  }

  /** Allocates `pageCount` contiguous frames. */
  static alloc(pageCount: number, options: FrameAllocOptions = {}): Result<Segment> {
    const start = allocateFrames(pageCount, FrameUsage.Untyped, options.zeroed ?? true);
    if (!start.ok) return start;
    const frames: UntypedFrame[] = [];
    for (let i = 0; i < pageCount; i++) frames.push(new UntypedFrame(CONSTRUCT, start.value + i));
    return ok(new Segment(CONSTRUCT, frames));
  }

  static isSegment(value: unknown): value is Segment {
    return typeof value === "object" && value !== null && #frames in value && value.#live;
  }

  get paddr(): number {
    return this.#frameAt(0).paddr;
  }

  get pageCount(): number {
    return this.#frames.length;
  }

  get size(): number {
    return this.#frames.length * PAGE_SIZE;
  }

  /** A new handle to the frame at `index`; the caller releases it. */
  frame(index: number): UntypedFrame {
    return this.#frameAt(index).clone();
  }

  /** Physical frame numbers of the segment, after checking it is live (OSTD-internal). */
  static frameNumbers(segment: Segment): number[] {
    if (!Segment.isSegment(segment)) throw new OstdError(ErrorCode.AccessDenied, "not a live segment made by OSTD");
    return segment.#frames.map((frame) => UntypedFrame.frameNumber(frame));
  }

  /** A second handle to the same frames (each frame gains a reference). */
  clone(): Segment {
    this.#check();
    return new Segment(CONSTRUCT, this.#frames.map((frame) => frame.clone()));
  }

  reader(offset = 0, length = this.size - offset): VmReader {
    return makeReader(ownedMemory(() => this.#live), this.paddr + checkWindow(offset, length, this.size), length);
  }

  writer(offset = 0, length = this.size - offset): VmWriter {
    return makeWriter(ownedMemory(() => this.#live), this.paddr + checkWindow(offset, length, this.size), length);
  }

  release(): void {
    this.#check();
    this.#live = false;
    for (const frame of this.#frames) frame.release();
  }

  #frameAt(index: number): UntypedFrame {
    this.#check();
    const frame = this.#frames[index];
    if (frame === undefined) throw new OstdError(ErrorCode.InvalidArgs, `segment has no frame ${String(index)}`);
    return frame;
  }

  #check(): void {
    if (!this.#live) throw new OstdError(ErrorCode.BadState, "use of a released segment");
  }
}

function checkWindow(offset: number, length: number, size: number): number {
  if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > size) {
    throw new OstdError(ErrorCode.InvalidArgs, `window ${String(offset)}+${String(length)} exceeds ${String(size)} bytes`);
  }
  return offset;
}
