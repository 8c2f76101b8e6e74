/**
 * Little-endian integer encoding over plain `Uint8Array`s.
 *
 * The kernel is a safe service: it may not build `DataView`s or touch `.buffer`, yet it has to
 * read ELF headers and write x86-64 ABI structures (initial stack, signal frames, termios,
 * stat). These helpers are that codec. Every access is bounds-checked and throws a
 * `RangeError` instead of silently reading `undefined`, so a malformed structure can never
 * turn into a wrong number. 64-bit values are JS numbers: exact below 2^53, which covers
 * every user address (< 2^47) and size the kernel accepts; callers validate with
 * `Number.isSafeInteger` where the input is untrusted.
 */

function checkRange(bytes: Uint8Array, offset: number, width: number): void {
  if (!Number.isInteger(offset) || offset < 0 || offset + width > bytes.length) {
    throw new RangeError(`access of ${String(width)} bytes at ${String(offset)} outside ${String(bytes.length)} bytes`);
  }
}

function byteAt(bytes: Uint8Array, index: number): number {
  return bytes[index] ?? 0;
}

export function readU8(bytes: Uint8Array, offset: number): number {
  checkRange(bytes, offset, 1);
  return byteAt(bytes, offset);
}

export function readU16(bytes: Uint8Array, offset: number): number {
  checkRange(bytes, offset, 2);
  return byteAt(bytes, offset) | (byteAt(bytes, offset + 1) << 8);
}

export function readU32(bytes: Uint8Array, offset: number): number {
  checkRange(bytes, offset, 4);
  return (
    (byteAt(bytes, offset) |
      (byteAt(bytes, offset + 1) << 8) |
      (byteAt(bytes, offset + 2) << 16) |
      (byteAt(bytes, offset + 3) << 24)) >>>
    0
  );
}

export function readI32(bytes: Uint8Array, offset: number): number {
  return readU32(bytes, offset) | 0;
}

/** An unsigned 64-bit value; inexact (and then above `Number.MAX_SAFE_INTEGER`) beyond 2^53. */
export function readU64(bytes: Uint8Array, offset: number): number {
  checkRange(bytes, offset, 8);
  return readU32(bytes, offset + 4) * 0x1_0000_0000 + readU32(bytes, offset);
}

/** A signed 64-bit value (two's complement), exact within ±2^53. */
export function readI64(bytes: Uint8Array, offset: number): number {
  checkRange(bytes, offset, 8);
  return readI32(bytes, offset + 4) * 0x1_0000_0000 + readU32(bytes, offset);
}

export function writeU8(bytes: Uint8Array, offset: number, value: number): void {
  checkRange(bytes, offset, 1);
  bytes[offset] = value & 0xff;
}

export function writeU16(bytes: Uint8Array, offset: number, value: number): void {
  checkRange(bytes, offset, 2);
  bytes[offset] = value & 0xff;
  bytes[offset + 1] = (value >>> 8) & 0xff;
}

export function writeU32(bytes: Uint8Array, offset: number, value: number): void {
  checkRange(bytes, offset, 4);
  bytes[offset] = value & 0xff;
  bytes[offset + 1] = (value >>> 8) & 0xff;
  bytes[offset + 2] = (value >>> 16) & 0xff;
  bytes[offset + 3] = (value >>> 24) & 0xff;
}

/** Writes an integer in ±2^53 as 64-bit two's complement (negative values sign-extend). */
export function writeI64(bytes: Uint8Array, offset: number, value: number): void {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${String(value)} is not a safe integer`);
  checkRange(bytes, offset, 8);
  const high = Math.floor(value / 0x1_0000_0000);
  writeU32(bytes, offset, value - high * 0x1_0000_0000);
  writeU32(bytes, offset + 4, high);
}

/** Writes a 64-bit value given as its two 32-bit halves (register file layout). */
export function writeU64Halves(bytes: Uint8Array, offset: number, low: number, high: number): void {
  checkRange(bytes, offset, 8);
  writeU32(bytes, offset, low);
  writeU32(bytes, offset + 4, high);
}
