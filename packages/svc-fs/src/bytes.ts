/**
 * Little-endian field writers for the structures the kernel copies to user space (struct
 * stat, statx, linux_dirent64), without raw buffers: plain Uint8Array stores. 64-bit fields
 * take JS numbers (exact up to 2^53, which covers sizes, inode numbers and times).
 * Also the byte-string convention for path names and generated text (one char per byte).
 */

export function writeU16(out: Uint8Array, offset: number, value: number): void {
  out[offset] = value & 0xff;
  out[offset + 1] = (value >>> 8) & 0xff;
}

export function writeU32(out: Uint8Array, offset: number, value: number): void {
  out[offset] = value & 0xff;
  out[offset + 1] = (value >>> 8) & 0xff;
  out[offset + 2] = (value >>> 16) & 0xff;
  out[offset + 3] = (value >>> 24) & 0xff;
}

/** Two's-complement 64-bit store of an integer in the safe range (negative allowed). */
export function writeI64(out: Uint8Array, offset: number, value: number): void {
  const low = value % 0x1_0000_0000;
  const lowUnsigned = low < 0 ? low + 0x1_0000_0000 : low;
  const high = Math.floor(value / 0x1_0000_0000);
  writeU32(out, offset, lowUnsigned);
  writeU32(out, offset + 4, high | 0);
}

export function readU32(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset] ?? 0) | ((bytes[offset + 1] ?? 0) << 8) | ((bytes[offset + 2] ?? 0) << 16) | ((bytes[offset + 3] ?? 0) << 24)) >>> 0;
}

export function readI64(bytes: Uint8Array, offset: number): number {
  const low = readU32(bytes, offset);
  const high = readU32(bytes, offset + 4) | 0;
  return high * 0x1_0000_0000 + low;
}

/** A path/name byte string from raw bytes (lossless for any byte sequence). */
export function bytesToPath(bytes: Uint8Array): string {
  let text = "";
  for (let start = 0; start < bytes.length; start += 8192) {
    text += String.fromCharCode(...bytes.subarray(start, start + 8192));
  }
  return text;
}

/** The raw bytes of a path/name byte string (chars above 0xff are not valid byte strings). */
export function pathToBytes(path: string): Uint8Array {
  const out = new Uint8Array(path.length);
  for (let index = 0; index < path.length; index += 1) out[index] = path.charCodeAt(index) & 0xff;
  return out;
}

