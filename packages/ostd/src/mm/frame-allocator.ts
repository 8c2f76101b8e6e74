/**
 * The frame allocator: a replaceable policy that decides which free frame to hand out.
 *
 * Like Asterinas's `GlobalFrameAllocator`, the policy is injectable (a service may bring a
 * buddy allocator, a NUMA-aware one, ...), and like there, it is not trusted: OSTD checks
 * every answer against the frame table before a frame leaves the framework (see
 * `frames.ts`). The default policy below is a next-fit bitmap, simple and fast enough for
 * single-page allocations.
 */

/** What an injected allocator implements. Frame numbers are physical address / 4096. */
export interface FrameAllocator {
  /** Gives the allocator `count` free frames from `start` to manage. */
  addFree(start: number, count: number): void;
  /** Returns the first frame of `count` contiguous free frames, or undefined when out of memory. */
  alloc(count: number): number | undefined;
  /** Takes back `count` frames from `start` that `alloc` handed out. */
  dealloc(start: number, count: number): void;
}

/** Next-fit over a bitmap (one byte per frame, 1 = free). */
export class BitmapFrameAllocator implements FrameAllocator {
  #free = new Uint8Array(0);
  #cursor = 0;

  addFree(start: number, count: number): void {
    this.#grow(start + count);
    this.#free.fill(1, start, start + count);
  }

  alloc(count: number): number | undefined {
    const total = this.#free.length;
    if (count < 1 || count > total) return undefined;
    let run = 0;
    for (let scanned = 0, pfn = this.#cursor; scanned < total + count; scanned++, pfn++) {
      if (pfn === total) {
        pfn = 0;
        run = 0;
      }
      run = this.#free[pfn] === 1 ? run + 1 : 0;
      if (run === count) {
        const start = pfn - count + 1;
        this.#free.fill(0, start, pfn + 1);
        this.#cursor = pfn + 1 === total ? 0 : pfn + 1;
        return start;
      }
    }
    return undefined;
  }

  dealloc(start: number, count: number): void {
    this.#free.fill(1, start, start + count);
  }

  #grow(frames: number): void {
    if (frames <= this.#free.length) return;
    const larger = new Uint8Array(frames);
    larger.set(this.#free);
    this.#free = larger;
  }
}
