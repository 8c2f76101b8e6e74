/**
 * Frame allocation with validation: the bridge between the untrusted allocator policy and
 * the trusted frame table.
 *
 * Every allocation goes through `allocateFrames`, which checks that the policy's answer is
 * an integer frame range inside usable RAM whose frames are all free in the frame table.
 * A policy that hands out a frame in use (or one outside RAM, or a reserved one) is caught
 * here and its answer refused with a `PolicyViolation`; OSTD then stays on its own
 * allocator. Frames are zeroed before they leave, so no data leaks between owners.
 */
import { ErrorCode, OstdError, type Result, fail, ok } from "../error.ts";
import { BitmapFrameAllocator, type FrameAllocator } from "./frame-allocator.ts";
import { FrameTable, FrameUsage, PAGE_SIZE } from "./frame-table.ts";
import { logViolation } from "../log/logger.ts";

interface FrameState {
  readonly table: FrameTable;
  /** @unsafe All of RAM. */
  readonly memory: Uint8Array;
  allocator: FrameAllocator;
}

let state: FrameState | undefined;

/**
 * Initializes frame management over RAM.
 * @unsafe `memory` must be the board's physical memory and `usable` ranges must be free RAM.
 */
export function initFrames(memory: Uint8Array, usable: readonly { base: number; length: number }[]): void {
  const table = new FrameTable(memory.length, usable);
  const allocator = new BitmapFrameAllocator();
  for (const run of table.freeRuns()) allocator.addFree(run.start, run.count);
  // SAFETY: the caller vouches for `memory`; OSTD keeps it private to this module.
  state = { table, memory, allocator };
}

function frameState(): FrameState {
  if (state === undefined) throw new OstdError(ErrorCode.BadState, "frame management is not initialized");
  return state;
}

export function frameTable(): FrameTable {
  return frameState().table;
}

/**
 * The raw view of RAM for OSTD's own copying code.
 * @unsafe Callers must stay within frames they own.
 */
export function physicalMemory(): Uint8Array {
  // SAFETY: handed only to OSTD's own modules (not exported from the package), tagged @unsafe.
  return frameState().memory;
}

/**
 * Replaces the allocation policy. The new allocator receives every currently free frame;
 * its answers are validated like the default's.
 */
export function injectFrameAllocator(allocator: FrameAllocator): void {
  const current = frameState();
  for (const run of current.table.freeRuns()) allocator.addFree(run.start, run.count);
  current.allocator = allocator;
}

/** Allocates `count` contiguous frames for `usage`, zeroed unless `zeroed` is false. */
export function allocateFrames(count: number, usage: FrameUsage, zeroed = true): Result<number> {
  if (!Number.isInteger(count) || count < 1) {
    return fail(ErrorCode.InvalidArgs, `cannot allocate ${String(count)} frames`);
  }
  // SAFETY: RAM is written only to zero the frames just validated and claimed below.
  const { table, allocator, memory } = frameState();
  let start: number | undefined;
  try {
    start = allocator.alloc(count);
  } catch (error) {
    const message = `the frame allocator threw: ${String(error)}`;
    logViolation(message);
    return fail(ErrorCode.PolicyViolation, message);
  }
  if (start === undefined) return fail(ErrorCode.NoMemory, `no ${String(count)} contiguous free frames`);
  if (!table.allFree(start, count)) {
    const message = `the frame allocator returned frames ${String(start)}..+${String(count)}, which are not free usable RAM`;
    logViolation(message);
    return fail(ErrorCode.PolicyViolation, message);
  }
  table.claim(start, count, usage);
  if (zeroed) memory.fill(0, start * PAGE_SIZE, (start + count) * PAGE_SIZE);
  return ok(start);
}

/** Drops one reference to `pfn`; gives the frame back to the allocator when it was the last. */
export function releaseFrame(pfn: number): void {
  const { table, allocator } = frameState();
  if (!table.dropRef(pfn)) return;
  try {
    allocator.dealloc(pfn, 1);
  } catch (error) {
    logViolation(`the frame allocator threw on dealloc of frame ${String(pfn)}: ${String(error)}`);
  }
}

export { FrameUsage, PAGE_SIZE };
