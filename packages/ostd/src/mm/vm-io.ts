/**
 * VmReader and VmWriter: cursors that copy bytes between the JavaScript heap and memory
 * that is not the JavaScript heap (frames, DMA buffers, user address spaces).
 *
 * They are the only way services touch that memory, and they copy, so no service ever holds
 * a view of physical RAM. Over kernel-owned frames a copy cannot fail; over a user address
 * space each page is translated through the page tables with the user's permissions, and a
 * missing or forbidden page stops the copy with a `PageFault` error value that carries the
 * faulting address (the kernel answers EFAULT or runs its fault handler and retries).
 * Instances are made only by OSTD: the constructor demands a module-private token.
 */
import { ErrorCode, OstdError, type Result, fail, ok } from "../error.ts";
import { physicalMemory, PAGE_SIZE } from "./frames.ts";

/** Translates `address` for a read or a write: the physical address, or -1 if not allowed. */
export type Translate = (address: number, write: boolean) => number;

const CONSTRUCT = Symbol("vm-io");

/**
 * Identity translation for memory a handle owns (frames, segments). Every copy checks that
 * the handle is still live, so a reader kept past `release()` cannot reach a frame that has
 * been reused (perhaps as a page table).
 */
export function ownedMemory(isLive: () => boolean): Translate {
  return (address) => (isLive() ? address : -1);
}

abstract class MemoryWindow {
  readonly #translate: Translate;
  readonly #write: boolean;
  #position: number;
  readonly #end: number;

  constructor(token: symbol, translate: Translate, write: boolean, start: number, length: number) {
    if (token !== CONSTRUCT) throw new OstdError(ErrorCode.AccessDenied, "VmReader/VmWriter are created by OSTD only");
    this.#translate = translate;
    this.#write = write;
    this.#position = start;
    this.#end = start + length;
  }

  /** Address of the next byte. */
  get cursor(): number {
    return this.#position;
  }

  /** Bytes left before the end of the window. */
  get remaining(): number {
    return this.#end - this.#position;
  }

  /** Moves the cursor forward without copying. */
  skip(count: number): this {
    if (count < 0 || count > this.remaining) throw new OstdError(ErrorCode.InvalidArgs, `cannot skip ${String(count)} bytes`);
    this.#position += count;
    return this;
  }

  /**
   * Copies up to `bytes.length` bytes, page by page, between `bytes` and memory. Stops at the
   * first page that does not translate.
   */
  protected transfer(bytes: Uint8Array): Result<number> {
    const total = Math.min(bytes.length, this.remaining);
    // SAFETY: copies stay within pages the translator approved for this access.
    const memory = physicalMemory();
    let done = 0;
    while (done < total) {
      const address = this.#position;
      const physical = this.#translate(address, this.#write);
      if (physical < 0) return fail(ErrorCode.PageFault, `cannot ${this.#write ? "write" : "read"} ${hex(address)}`, address);
      const chunk = Math.min(total - done, PAGE_SIZE - (address % PAGE_SIZE));
      if (this.#write) memory.set(bytes.subarray(done, done + chunk), physical);
      else bytes.set(memory.subarray(physical, physical + chunk), done);
      done += chunk;
      this.#position += chunk;
    }
    return ok(done);
  }
}

export class VmReader extends MemoryWindow {
  /** Reads up to `into.length` bytes; the result is the number read. */
  read(into: Uint8Array): Result<number> {
    return this.transfer(into);
  }

  /** Reads exactly `length` bytes into a new array. */
  readBytes(length: number): Result<Uint8Array> {
    if (length > this.remaining) return fail(ErrorCode.InvalidArgs, `only ${String(this.remaining)} bytes left`);
    const bytes = new Uint8Array(length);
    const result = this.transfer(bytes);
    return result.ok ? ok(bytes) : result;
  }

  /** Reads a little-endian unsigned integer of 1, 2 or 4 bytes. */
  readUint(size: 1 | 2 | 4): Result<number> {
    const bytes = this.readBytes(size);
    if (!bytes.ok) return bytes;
    let value = 0;
    for (let i = size - 1; i >= 0; i--) value = value * 256 + (bytes.value[i] ?? 0);
    return ok(value);
  }

  /** Reads a little-endian 64-bit value as a number (exact below 2^53: addresses, sizes). */
  readU64(): Result<number> {
    const low = this.readUint(4);
    if (!low.ok) return low;
    const high = this.readUint(4);
    return high.ok ? ok(high.value * 0x1_0000_0000 + low.value) : high;
  }
}

export class VmWriter extends MemoryWindow {
  /** Writes up to `bytes.length` bytes; the result is the number written. */
  write(bytes: Uint8Array): Result<number> {
    return this.transfer(bytes);
  }

  /** Writes `count` zero bytes. */
  fillZeros(count: number): Result<number> {
    return this.transfer(new Uint8Array(Math.min(count, this.remaining)));
  }

  /** Writes a little-endian unsigned integer of 1, 2 or 4 bytes. */
  writeUint(size: 1 | 2 | 4, value: number): Result<number> {
    const bytes = new Uint8Array(size);
    for (let i = 0, v = value >>> 0; i < size; i++, v >>>= 8) bytes[i] = v & 0xff;
    return this.transfer(bytes);
  }

  /** Writes a 64-bit little-endian value from a number (negative numbers in two's complement). */
  writeU64(value: number): Result<number> {
    const bytes = new Uint8Array(8);
    const high = Math.floor(value / 0x1_0000_0000);
    const words = [value - high * 0x1_0000_0000, high];
    for (let i = 0; i < 8; i++) bytes[i] = ((words[i >> 2] ?? 0) >>> ((i & 3) * 8)) & 0xff;
    return this.transfer(bytes);
  }
}

/** Makes a reader over `length` bytes from `start` (OSTD-internal). */
export function makeReader(translate: Translate, start: number, length: number): VmReader {
  return new VmReader(CONSTRUCT, translate, false, start, length);
}

/** Makes a writer over `length` bytes from `start` (OSTD-internal). */
export function makeWriter(translate: Translate, start: number, length: number): VmWriter {
  return new VmWriter(CONSTRUCT, translate, true, start, length);
}

function hex(value: number): string {
  return `0x${value.toString(16)}`;
}
