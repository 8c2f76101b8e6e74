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

/** FCW.RC for the next operations: 0 nearest-even, 1 down, 2 up, 3 toward zero. */
let roundingMode = 0;

export function setExtendedRounding(mode: number): void {
  roundingMode = mode & 3;
}

/**
 * Rounds `value` (a count of units, possibly fractional) under the rounding mode. `sticky`
 * carries the sign of what lies below `value`'s own precision; `negative` is the sign of
 * the whole number.
 */
function roundUnits(value: number, sticky: number, negative: boolean): number {
  const floor = Math.floor(value);
  const fraction = value - floor;
  // Nudge exact integers and exact halves by the sticky sign before rounding.
  const below = sticky < 0;
  const above = sticky > 0;
  switch (roundingMode) {
    case 0:
      if (fraction === 0.5 && (above || below)) return above ? floor + 1 : floor;
      return roundHalfEven(value);
    case 1:
      return fraction === 0 && below ? floor - 1 : floor;
    case 2:
      return fraction === 0 && above ? floor + 1 : fraction === 0 ? floor : floor + 1;
    default:
      if (negative) return fraction === 0 && above ? floor + 1 : fraction === 0 ? floor : floor + 1;
      return fraction === 0 && below ? floor - 1 : floor;
  }
}

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

function isPowerOfTwo(value: number): boolean {
  bits[0] = value;
  return (bitWords[0] ?? 0) === 0 && ((bitWords[1] ?? 0) & 0xfffff) === 0;
}

function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const difference = value - floor;
  if (difference < 0.5) return floor;
  if (difference > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * Stores hi + lo (+ a remainder whose sign is `sticky`) rounded to a 64-bit significand
 * under the FCW rounding mode.
 */
export function roundToExtended(hi: number, lo: number, sticky = 0): void {
  const sum = hi + lo;
  if ((lo === 0 && sticky === 0) || !Number.isFinite(sum) || sum === 0) {
    extendedResult[0] = lo === 0 ? hi : sum;
    extendedResult[1] = 0;
    return;
  }
  let high = sum;
  let low = lo - (sum - hi);
  let exponent = exponentOf(high);
  // Just below a power of two the value lives in the lower binade, where units are halved.
  if (low !== 0 && (low < 0) !== (high < 0) && isPowerOfTwo(high)) exponent -= 1;
  const unit = 2 ** (exponent - 63);
  low = roundUnits(low / unit, sticky, high < 0) * unit;
  const renormalized = high + low;
  low -= renormalized - high;
  high = renormalized;
  extendedResult[0] = high;
  extendedResult[1] = low;
}

/** a + b as a double-double before rounding. */
export function addExtended(aHi: number, aLo: number, bHi: number, bLo: number): void {
  const sum = aHi + bHi;
  const error = sumError(aHi, bHi, sum);
  const low = error + aLo;
  let sticky = sumError(error, aLo, low);
  const lower = low + bLo;
  sticky += sumError(low, bLo, lower);
  roundToExtended(sum, lower, sticky);
  if (extendedResult[0] === 0 && extendedResult[1] === 0) {
    // An exact zero sum is +0, or -0 when rounding down; -0 + -0 is -0 in every mode.
    const bothNegativeZero = Object.is(aHi, -0) && Object.is(bHi, -0);
    const bothPositiveZero = Object.is(aHi, 0) && Object.is(bHi, 0);
    extendedResult[0] = bothNegativeZero || (roundingMode === 1 && !bothPositiveZero) ? -0 : 0;
  }
}

/** The exact error of `sum = a + b` (TwoSum). */
function sumError(a: number, b: number, sum: number): number {
  const virtualB = sum - a;
  const error = a - (sum - virtualB) + (b - virtualB);
  return Number.isFinite(error) ? error : 0;
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
  const cross1 = aHi * bLo;
  const cross2 = aLo * bHi;
  const cross = cross1 + cross2;
  const low = productError(aHi, bHi, product);
  const lower = low + cross;
  // Everything below `lower`'s precision: the rounding of the cross products and their sum.
  const sticky =
    productError(aHi, bLo, cross1) + productError(aLo, bHi, cross2) + sumError(cross1, cross2, cross) + sumError(low, cross, lower) + aLo * bLo;
  roundToExtended(product, lower, sticky);
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

/** hi + lo rounded to a double (or a float if `single`) under the FCW rounding mode. */
export function roundToDouble(hi: number, lo: number, single: boolean): number {
  const nearest = single ? Math.fround(hi + lo) : hi + lo;
  if (roundingMode === 0 || !Number.isFinite(nearest)) return nearest;
  const direction = Math.sign(hi - nearest + lo);
  if (direction === 0) return nearest;
  const towardZero = roundingMode === 3;
  const up = roundingMode === 2 || (towardZero && nearest < 0);
  const down = roundingMode === 1 || (towardZero && nearest > 0);
  if ((up && direction > 0) || (down && direction < 0)) return neighbour(nearest, direction > 0, single);
  return nearest;
}

const neighbourDouble = new Float64Array(1);
const neighbourWords = new Int32Array(neighbourDouble.buffer);
const neighbourSingle = new Float32Array(1);
const neighbourSingleWord = new Int32Array(neighbourSingle.buffer);

function neighbour(value: number, up: boolean, single: boolean): number {
  if (value === 0) return up ? (single ? 1.401298464324817e-45 : 5e-324) : single ? -1.401298464324817e-45 : -5e-324;
  const away = (value > 0) === up;
  if (single) {
    neighbourSingle[0] = value;
    neighbourSingleWord[0] = ((neighbourSingleWord[0] ?? 0) + (away ? 1 : -1)) | 0;
    return neighbourSingle[0] ?? 0;
  }
  neighbourDouble[0] = value;
  let low = neighbourWords[0] ?? 0;
  let high = neighbourWords[1] ?? 0;
  if (away) {
    low = (low + 1) | 0;
    if (low === 0) high = (high + 1) | 0;
  } else {
    if (low === 0) high = (high - 1) | 0;
    low = (low - 1) | 0;
  }
  neighbourWords[0] = low;
  neighbourWords[1] = high;
  return neighbourDouble[0] ?? 0;
}

/** Writes hi + lo as 10 little-endian bytes of the 80-bit format (exact). */
export function writeExtended(hi: number, lo: number, bytes: Uint8Array, offset: number): void {
  let sign = 0;
  let h = hi;
  let l = lo;
  if (h !== h) {
    writeNaN(h, bytes, offset);
    return;
  }
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
    const scaledHigh = scaleByPowerOfTwo(h, 63 - e);
    const scaledLow = scaleByPowerOfTwo(l, 63 - e);
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

/**
 * Writes a NaN with the sign and payload of the double's bits (what the host left there:
 * the hardware default NaN for invalid operations, the loaded NaN otherwise), quieted.
 */
function writeNaN(value: number, bytes: Uint8Array, offset: number): void {
  bits[0] = value;
  const high = bitWords[1] ?? 0;
  const low = bitWords[0] ?? 0;
  const mantHi = (0xc0000000 | ((high & 0x7ffff) << 11) | (low >>> 21)) >>> 0;
  const mantLo = (low << 11) >>> 0;
  for (let i = 0; i < 4; i++) bytes[offset + i] = (mantLo >>> (8 * i)) & 0xff;
  for (let i = 0; i < 4; i++) bytes[offset + 4 + i] = (mantHi >>> (8 * i)) & 0xff;
  const top = ((high >>> 31) << 15) | 0x7fff;
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
    if ((mantHi & 0x7fffffff) === 0 && mantLo === 0) {
      extendedResult[0] = negative ? -Infinity : Infinity;
    } else {
      // A NaN as the double with the same sign and top payload bits (quieted).
      bits[0] = Number.NaN;
      bitWords[1] = ((negative ? 0x80000000 : 0) | 0x7ff80000 | ((mantHi >>> 11) & 0x7ffff)) >>> 0;
      bitWords[0] = ((mantHi << 21) | (mantLo >>> 11)) >>> 0;
      extendedResult[0] = bits[0] ?? Number.NaN;
    }
    extendedResult[1] = 0;
    return;
  }
  const exponentShift = (exponent === 0 ? 1 : exponent) - 16383 - 63;
  const approximate = mantHi * TWO_POW_32 + mantLo;
  const remainder = mantHi * TWO_POW_32 - approximate + mantLo;
  let hi = scaleByPowerOfTwo(approximate, exponentShift);
  let lo = scaleByPowerOfTwo(remainder, exponentShift);
  if (!Number.isFinite(hi) || hi === 0 || !Number.isFinite(lo)) lo = 0;
  if (negative) {
    hi = -hi;
    lo = -lo;
  }
  extendedResult[0] = hi;
  extendedResult[1] = lo;
}

/**
 * Beyond this many binary orders of magnitude every double has overflowed or underflowed,
 * so larger exponents (FSCALE by ST(1) = 1e300 or infinity) are clamped to it.
 */
const SCALE_LIMIT = 2200;

/** `value * 2^exponent` without intermediate overflow or underflow of the factor. */
export function scaleByPowerOfTwo(value: number, exponent: number): number {
  let result = value;
  let remaining = Math.max(-SCALE_LIMIT, Math.min(SCALE_LIMIT, exponent));
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
