/**
 * Conversions between host doubles and the x87 80-bit extended format.
 *
 * The core keeps x87 registers as host doubles (53-bit significand, see docs/cpu.md). Memory
 * and the FXSAVE image hold the architectural 80-bit format, so every `fld m80`, `fstp m80`,
 * FXSAVE and FXRSTOR goes through these two functions: double -> 80-bit is exact, 80-bit ->
 * double rounds to nearest even once.
 */

const scratch = new Float64Array(1);
const scratchWords = new Uint32Array(scratch.buffer);

const TWO_POW_32 = 4294967296;

/** Writes `value` as 10 little-endian bytes at `bytes[offset]`. */
export function writeFloat80(value: number, bytes: Uint8Array, offset: number): void {
  scratch[0] = value;
  const lowWord = scratchWords[0] ?? 0;
  const highWord = scratchWords[1] ?? 0;
  const sign = highWord >>> 31;
  const exponent11 = (highWord >>> 20) & 0x7ff;
  let fracHi = highWord & 0xfffff;
  let fracLo = lowWord;
  let exponent15: number;
  let mantHi: number;
  let mantLo: number;
  if (exponent11 === 0x7ff) {
    exponent15 = 0x7fff;
    mantHi = (0x80000000 | (fracHi << 11) | (fracLo >>> 21)) >>> 0;
    mantLo = (fracLo << 11) >>> 0;
  } else if (exponent11 === 0) {
    if (fracHi === 0 && fracLo === 0) {
      exponent15 = 0;
      mantHi = 0;
      mantLo = 0;
    } else {
      // A double denormal is a normal 80-bit number: shift its fraction up to bit 52.
      let exponent = 1 - 1023;
      while ((fracHi & 0x100000) === 0) {
        fracHi = (fracHi << 1) | (fracLo >>> 31);
        fracLo = (fracLo << 1) >>> 0;
        exponent--;
      }
      fracHi &= 0xfffff;
      exponent15 = exponent + 16383;
      mantHi = (0x80000000 | (fracHi << 11) | (fracLo >>> 21)) >>> 0;
      mantLo = (fracLo << 11) >>> 0;
    }
  } else {
    exponent15 = exponent11 - 1023 + 16383;
    mantHi = (0x80000000 | (fracHi << 11) | (fracLo >>> 21)) >>> 0;
    mantLo = (fracLo << 11) >>> 0;
  }
  writeWord32(bytes, offset, mantLo);
  writeWord32(bytes, offset + 4, mantHi);
  const top = (sign << 15) | exponent15;
  bytes[offset + 8] = top & 0xff;
  bytes[offset + 9] = top >>> 8;
}

/** Reads 10 little-endian bytes at `bytes[offset]` as an extended value rounded to a double. */
export function readFloat80(bytes: Uint8Array, offset: number): number {
  const mantLo = readWord32(bytes, offset);
  const mantHi = readWord32(bytes, offset + 4);
  const top = (bytes[offset + 8] ?? 0) | ((bytes[offset + 9] ?? 0) << 8);
  const negative = (top & 0x8000) !== 0;
  const exponent15 = top & 0x7fff;
  let magnitude: number;
  if (exponent15 === 0x7fff) {
    magnitude = (mantHi & 0x7fffffff) === 0 && mantLo === 0 ? Infinity : NaN;
  } else {
    // The significand rounds once when it becomes a double; scaling by 2^k is then exact
    // except in the double's own denormal range.
    const significand = mantHi * TWO_POW_32 + mantLo;
    magnitude = scaleByPowerOfTwo(significand, (exponent15 === 0 ? 1 : exponent15) - 16383 - 63);
  }
  return negative ? -magnitude : magnitude;
}

/** `value * 2^exponent` without intermediate overflow or underflow of the factor. */
export function scaleByPowerOfTwo(value: number, exponent: number): number {
  let result = value;
  let remaining = exponent;
  while (remaining > 1000) {
    result *= 2 ** 1000;
    remaining -= 1000;
    if (!Number.isFinite(result)) return result;
  }
  while (remaining < -1000) {
    result *= 2 ** -1000;
    remaining += 1000;
    if (result === 0) return result;
  }
  return result * 2 ** remaining;
}

function readWord32(bytes: Uint8Array, offset: number): number {
  return (
    ((bytes[offset] ?? 0) |
      ((bytes[offset + 1] ?? 0) << 8) |
      ((bytes[offset + 2] ?? 0) << 16) |
      ((bytes[offset + 3] ?? 0) << 24)) >>>
    0
  );
}

function writeWord32(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = value & 0xff;
  bytes[offset + 1] = (value >>> 8) & 0xff;
  bytes[offset + 2] = (value >>> 16) & 0xff;
  bytes[offset + 3] = value >>> 24;
}
