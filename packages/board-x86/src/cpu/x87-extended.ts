/**
 * x87 extended precision on host doubles: each register is an unevaluated sum hi + lo of two
 * doubles whose exact value carries at most the 64 significand bits of the 80-bit format.
 *
 * Error-free transformations (TwoSum, Dekker's TwoProduct) give the exact or nearly exact
 * result of +, -, *, /, sqrt as a double-double, which is then rounded to a 64-bit
 * significand with round-to-nearest-even. This is what makes musl's printf (which probes
 * `2^64 + small != 2^64` in long double to decide rounding) and glibc's %Lf work. Loads and
 * stores of the 80-bit memory format are exact. Results land in `extendedResult` [hi, lo].
 */

export const extendedResult = new Float64Array(2);

const bits = new Float64Array(1);
const bitWords = new Uint32Array(bits.buffer);
const SPLITTER = 134217729;
const TWO_POW_32 = 4294967296;

/** Unbiased binary exponent of a finite non-zero double. */
function exponentOf(value: number): number {
  bits[0] = value;
  const biased = ((bitWords[1] ?? 0) >>> 20) & 0x7ff;
  if (biased !== 0) return biased - 1023;
  return Math.floor(Math.log2(Math.abs(value)));
}

function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const difference = value - floor;
  if (difference < 0.5) return floor;
  if (difference > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** Stores hi + lo rounded to a 64-bit significand (round to nearest even). */
export function roundToExtended(hi: number, lo: number): void {
  const sum = hi + lo;
  if (!Number.isFinite(sum) || lo === 0 || sum === 0) {
    extendedResult[0] = sum;
    extendedResult[1] = 0;
    return;
  }
  let high = sum;
  let low = lo - (sum - hi);
  const unit = 2 ** (exponentOf(high) - 63);
  low = roundHalfEven(low / unit) * unit;
  const renormalized = high + low;
  low -= renormalized - high;
  high = renormalized;
  extendedResult[0] = high;
  extendedResult[1] = low;
}

/** a + b as a double-double before rounding. */
export function addExtended(aHi: number, aLo: number, bHi: number, bLo: number): void {
  const sum = aHi + bHi;
  const virtualB = sum - aHi;
  const error = aHi - (sum - virtualB) + (bHi - virtualB);
  roundToExtended(sum, error + aLo + bLo);
}

/** The exact error of `product = a * b` (Dekker), or 0 when the split overflows. */
export function productError(a: number, b: number, product: number): number {
  const aSplit = SPLITTER * a;
  const aHigh = aSplit - (aSplit - a);
  const aLow = a - aHigh;
  const bSplit = SPLITTER * b;
  const bHigh = bSplit - (bSplit - b);
  const bLow = b - bHigh;
  const error = aHigh * bHigh - product + aHigh * bLow + aLow * bHigh + aLow * bLow;
  return Number.isFinite(error) ? error : 0;
}

export function multiplyExtended(aHi: number, aLo: number, bHi: number, bLo: number): void {
  const product = aHi * bHi;
  if (!Number.isFinite(product) || product === 0) {
    roundToExtended(product, 0);
    return;
  }
  roundToExtended(product, productError(aHi, bHi, product) + aHi * bLo + aLo * bHi);
}

export function divideExtended(aHi: number, aLo: number, bHi: number, bLo: number): void {
  const quotient = aHi / bHi;
  if (!Number.isFinite(quotient) || quotient === 0 || !Number.isFinite(bHi)) {
    roundToExtended(quotient, 0);
    return;
  }
  const product = quotient * bHi;
  const remainder = aHi - product - productError(quotient, bHi, product) + aLo - quotient * bLo;
  roundToExtended(quotient, remainder / bHi);
}

export function sqrtExtended(hi: number, lo: number): void {
  const root = Math.sqrt(hi);
  if (!Number.isFinite(root) || root === 0) {
    roundToExtended(root, 0);
    return;
  }
  const square = root * root;
  const remainder = hi - square - productError(root, root, square) + lo;
  roundToExtended(root, remainder / (2 * root));
}

/** A signed 64-bit integer (lo/hi words) as an exact double-double. */
export function fromInt64(low: number, high: number): void {
  const approximate = high * TWO_POW_32 + (low >>> 0);
  extendedResult[0] = approximate;
  extendedResult[1] = high * TWO_POW_32 - approximate + (low >>> 0);
}

/** Writes hi + lo as 10 little-endian bytes of the 80-bit format (exact). */
export function writeExtended(hi: number, lo: number, bytes: Uint8Array, offset: number): void {
  let sign = 0;
  let h = hi;
  let l = lo;
  if (h < 0 || (h === 0 && Object.is(h, -0))) {
    sign = 0x8000;
    h = -h;
    l = -l;
  }
  let exponent: number;
  let mantHi: number;
  let mantLo: number;
  if (!Number.isFinite(h)) {
    exponent = 0x7fff;
    mantHi = h === h ? 0x80000000 : 0xc0000000;
    mantLo = 0;
  } else if (h === 0) {
    exponent = 0;
    mantHi = 0;
    mantLo = 0;
  } else {
    let e = exponentOf(h);
    if (h === 2 ** e && l < 0) e -= 1;
    const scale = 2 ** (63 - e);
    const scaledHigh = h * scale;
    const scaledLow = l * scale;
    mantHi = Math.floor(scaledHigh / TWO_POW_32);
    let low = scaledHigh - mantHi * TWO_POW_32 + scaledLow;
    while (low < 0) {
      low += TWO_POW_32;
      mantHi -= 1;
    }
    while (low >= TWO_POW_32) {
      low -= TWO_POW_32;
      mantHi += 1;
    }
    mantLo = low;
    exponent = e + 16383;
    if (exponent <= 0) {
      // Below the 80-bit normal range (unreachable from doubles): flush to zero.
      exponent = 0;
      mantHi = 0;
      mantLo = 0;
    }
  }
  const top = sign | exponent;
  for (let i = 0; i < 4; i++) bytes[offset + i] = (mantLo >>> (8 * i)) & 0xff;
  for (let i = 0; i < 4; i++) bytes[offset + 4 + i] = (mantHi >>> (8 * i)) & 0xff;
  bytes[offset + 8] = top & 0xff;
  bytes[offset + 9] = top >>> 8;
}

/** Reads 10 bytes of the 80-bit format as an exact double-double (into `extendedResult`). */
export function readExtended(bytes: Uint8Array, offset: number): void {
  let mantLo = 0;
  let mantHi = 0;
  for (let i = 3; i >= 0; i--) mantLo = mantLo * 256 + (bytes[offset + i] ?? 0);
  for (let i = 3; i >= 0; i--) mantHi = mantHi * 256 + (bytes[offset + 4 + i] ?? 0);
  const top = (bytes[offset + 8] ?? 0) | ((bytes[offset + 9] ?? 0) << 8);
  const negative = (top & 0x8000) !== 0;
  const exponent = top & 0x7fff;
  if (exponent === 0x7fff) {
    const value = (mantHi & 0x7fffffff) === 0 && mantLo === 0 ? Infinity : NaN;
    extendedResult[0] = negative ? -value : value;
    extendedResult[1] = 0;
    return;
  }
  const scale = 2 ** ((exponent === 0 ? 1 : exponent) - 16383 - 63);
  const approximate = mantHi * TWO_POW_32 + mantLo;
  const remainder = mantHi * TWO_POW_32 - approximate + mantLo;
  let hi = approximate * scale;
  let lo = remainder * scale;
  if (!Number.isFinite(hi) || hi === 0 || !Number.isFinite(lo)) lo = 0;
  if (negative) {
    hi = -hi;
    lo = -lo;
  }
  extendedResult[0] = hi;
  extendedResult[1] = lo;
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
