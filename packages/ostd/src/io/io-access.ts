/**
 * IoMem and IoPort: device registers for drivers, restricted to non-sensitive ranges.
 *
 * A driver acquires a window and gets bounds-checked accessors. OSTD refuses any window
 * that overlaps RAM or boot data (which would expose page tables and every process's
 * memory), or the ranges the arch port declares sensitive: the interrupt controllers'
 * registers, the PCI configuration mechanism and the power-off port. Those stay reachable
 * only through OSTD's own APIs (IrqLine, PciFunction, powerOff).
 */
import type { PhysRegion } from "../arch.ts";
import { arch } from "../boot/machine-state.ts";
import { ErrorCode, OstdError, type Result, fail, ok } from "../error.ts";

type Width = 1 | 2 | 4;

function overlaps(base: number, length: number, region: PhysRegion): boolean {
  return base < region.base + region.length && region.base < base + length;
}

function checkWindow(base: number, length: number, limit: number): Result<void> {
  if (!Number.isInteger(base) || !Number.isInteger(length) || base < 0 || length <= 0 || base + length > limit) {
    return fail(ErrorCode.InvalidArgs, `bad I/O window 0x${base.toString(16)}+${String(length)}`);
  }
  return ok(undefined);
}

function checkAccess(offset: number, size: number, length: number): void {
  if (!Number.isInteger(offset) || offset < 0 || offset + size > length || offset % size !== 0) {
    throw new OstdError(ErrorCode.InvalidArgs, `access of ${String(size)} bytes at offset ${String(offset)} is outside the window or misaligned`);
  }
}

/** A window of memory-mapped device registers. */
export class IoMem {
  readonly #base: number;
  readonly #length: number;

  private constructor(base: number, length: number) {
    this.#base = base;
    this.#length = length;
  }

  /** Acquires `length` bytes of MMIO from physical address `base`. */
  static acquire(base: number, length: number): Result<IoMem> {
    const window = checkWindow(base, length, 2 ** 52);
    if (!window.ok) return window;
    // SAFETY: only RAM's size is read, to keep windows off it.
    const { io, bootInfo, physicalMemory } = arch();
    if (overlaps(base, length, { base: 0, length: physicalMemory.length })) {
      return fail(ErrorCode.AccessDenied, "an I/O window cannot cover RAM");
    }
    for (const region of bootInfo.memoryRegions) {
      if (region.kind !== "mmio" && overlaps(base, length, region)) {
        return fail(ErrorCode.AccessDenied, `the window overlaps ${region.kind} memory at 0x${region.base.toString(16)}`);
      }
    }
    for (const region of io.sensitiveMmio) {
      if (overlaps(base, length, region)) {
        return fail(ErrorCode.AccessDenied, `0x${region.base.toString(16)}+${String(region.length)} is reserved for OSTD`);
      }
    }
    return ok(new IoMem(base, length));
  }

  get base(): number {
    return this.#base;
  }

  get length(): number {
    return this.#length;
  }

  read(offset: number, size: Width): number {
    checkAccess(offset, size, this.#length);
    // SAFETY: the window was checked against RAM and the sensitive ranges at acquisition.
    return arch().io.mmioRead(this.#base + offset, size);
  }

  write(offset: number, size: Width, value: number): void {
    checkAccess(offset, size, this.#length);
    // SAFETY: the window was checked against RAM and the sensitive ranges at acquisition.
    arch().io.mmioWrite(this.#base + offset, size, value);
  }
}

/** A range of I/O ports. */
export class IoPort {
  readonly #base: number;
  readonly #length: number;

  private constructor(base: number, length: number) {
    this.#base = base;
    this.#length = length;
  }

  /** Acquires `length` ports from `base`. */
  static acquire(base: number, length: number): Result<IoPort> {
    const window = checkWindow(base, length, 0x1_0000);
    if (!window.ok) return window;
    for (const region of arch().io.sensitivePorts) {
      if (overlaps(base, length, region)) {
        return fail(ErrorCode.AccessDenied, `ports 0x${region.base.toString(16)}+${String(region.length)} are reserved for OSTD`);
      }
    }
    return ok(new IoPort(base, length));
  }

  get base(): number {
    return this.#base;
  }

  read(offset: number, size: Width): number {
    checkAccess(offset, 1, this.#length - size + 1);
    // SAFETY: the range was checked against the sensitive ports at acquisition.
    return arch().io.portRead(this.#base + offset, size);
  }

  write(offset: number, size: Width, value: number): void {
    checkAccess(offset, 1, this.#length - size + 1);
    // SAFETY: the range was checked against the sensitive ports at acquisition.
    arch().io.portWrite(this.#base + offset, size, value);
  }
}
