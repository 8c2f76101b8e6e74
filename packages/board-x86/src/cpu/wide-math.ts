/**
 * Wide multiplication and division: MUL/IMUL up to 64x64->128 bits and DIV/IDIV up to
 * 128/64 bits.
 *
 * Multiplication runs on 16-bit limbs so every partial product is exact in a double and no
 * BigInt is touched. Division takes an exact double path whenever dividend and divisor fit in
 * 53 bits (almost always) and falls back to BigInt only for genuinely wide operands. Results
 * are written to the shared `wideResult` words so nothing is allocated per instruction.
 */

/** Results: product words 0..3 (low to high), or quotient lo/hi in 0/1 and remainder lo/hi in 2/3. */
export const wideResult = new Int32Array(4);

const TWO_POW_32 = 4294967296;

let productHigh = 0;

/** Unsigned 32x32 -> 64 bits: returns the low word, the high word in `productHigh`. */
function multiply32(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const low = a0 * b0;
  const cross1 = a1 * b0;
  const cross2 = a0 * b1;
  const middle = (low >>> 16) + (cross1 & 0xffff) + (cross2 & 0xffff);
  productHigh = (a1 * b1 + (cross1 >>> 16) + (cross2 >>> 16) + Math.floor(middle / 65536)) | 0;
  return ((middle << 16) | (low & 0xffff)) | 0;
}

/** Unsigned 64x64 -> 128 bits into `wideResult`. */
export function multiplyUnsigned64(aLo: number, aHi: number, bLo: number, bHi: number): void {
  const p00Lo = multiply32(aLo, bLo);
  const p00Hi = productHigh;
  const p01Lo = multiply32(aLo, bHi);
  const p01Hi = productHigh;
  const p10Lo = multiply32(aHi, bLo);
  const p10Hi = productHigh;
  const p11Lo = multiply32(aHi, bHi);
  const p11Hi = productHigh;
  const word1 = (p00Hi >>> 0) + (p01Lo >>> 0) + (p10Lo >>> 0);
  const carry1 = Math.floor(word1 / TWO_POW_32);
  const word2 = (p01Hi >>> 0) + (p10Hi >>> 0) + (p11Lo >>> 0) + carry1;
  const carry2 = Math.floor(word2 / TWO_POW_32);
  wideResult[0] = p00Lo;
  wideResult[1] = word1 % TWO_POW_32 | 0;
  wideResult[2] = word2 % TWO_POW_32 | 0;
  wideResult[3] = (p11Hi + carry2) | 0;
}

/** Signed 64x64 -> 128 bits into `wideResult`. */
export function multiplySigned64(aLo: number, aHi: number, bLo: number, bHi: number): void {
  multiplyUnsigned64(aLo, aHi, bLo, bHi);
  // (a - 2^64*[a<0]) * (b - 2^64*[b<0]) = a*b - 2^64*(b*[a<0] + a*[b<0]) mod 2^128
  let high2 = wideResult[2] ?? 0;
  let high3 = wideResult[3] ?? 0;
  if (aHi < 0) {
    const sum = (high2 >>> 0) - (bLo >>> 0);
    high2 = sum | 0;
    high3 = (high3 - bHi - (sum < 0 ? 1 : 0)) | 0;
  }
  if (bHi < 0) {
    const sum = (high2 >>> 0) - (aLo >>> 0);
    high2 = sum | 0;
    high3 = (high3 - aHi - (sum < 0 ? 1 : 0)) | 0;
  }
  wideResult[2] = high2;
  wideResult[3] = high3;
}

/** Unsigned 32x32 -> 64 bits into `wideResult[0..1]`. */
export function multiplyUnsigned32(a: number, b: number): void {
  wideResult[0] = multiply32(a, b);
  wideResult[1] = productHigh;
}

/** Signed 32x32 -> 64 bits into `wideResult[0..1]`. */
export function multiplySigned32(a: number, b: number): void {
  wideResult[0] = multiply32(a, b);
  let high = productHigh;
  if (a < 0) high = (high - b) | 0;
  if (b < 0) high = (high - a) | 0;
  wideResult[1] = high;
}

/**
 * DIV/IDIV of a dividend of 2*`bits` bits by a `bits`-bit divisor. The caller passes the
 * dividend sign- or zero-extended to 128 bits (words n0..n3, low to high) and the divisor
 * extended to 64 bits. Returns false when the architecture raises #DE (zero divisor or
 * quotient overflow); otherwise quotient lo/hi and remainder lo/hi are in `wideResult`.
 */
export function divide(
  signed: boolean,
  bits: number,
  n0: number,
  n1: number,
  n2: number,
  n3: number,
  dLo: number,
  dHi: number,
): boolean {
  if (dLo === 0 && dHi === 0) return false;
  // The double path needs |dividend| and |divisor| below 2^52 so that quotient * divisor
  // stays exact while the rounded quotient is corrected.
  const dividendSmall = signed
    ? n3 === n2 >> 31 && n2 === n1 >> 31 && n1 < 0x100000 && n1 >= -0x100000
    : n3 === 0 && n2 === 0 && n1 >>> 0 < 0x100000;
  const divisorSmall = signed ? dHi < 0x100000 && dHi >= -0x100000 : dHi >>> 0 < 0x100000;
  if (dividendSmall && divisorSmall) {
    const dividend = signed ? n1 * TWO_POW_32 + (n0 >>> 0) : (n1 >>> 0) * TWO_POW_32 + (n0 >>> 0);
    const divisor = signed ? dHi * TWO_POW_32 + (dLo >>> 0) : (dHi >>> 0) * TWO_POW_32 + (dLo >>> 0);
    let quotient = Math.trunc(dividend / divisor);
    let remainder = dividend - quotient * divisor;
    // The rounded quotient can be one off: the remainder must have the dividend's sign and
    // a magnitude below the divisor's.
    const step = Math.sign(dividend) * Math.sign(divisor);
    if (dividend >= 0 ? remainder < 0 : remainder > 0) {
      quotient -= step;
      remainder = dividend - quotient * divisor;
    } else if (Math.abs(remainder) >= Math.abs(divisor)) {
      quotient += step;
      remainder = dividend - quotient * divisor;
    }
    return storeQuotient(signed, bits, quotient, remainder);
  }
  return divideBig(signed, bits, n0, n1, n2, n3, dLo, dHi);
}

function storeQuotient(signed: boolean, bits: number, quotient: number, remainder: number): boolean {
  const limit = 2 ** (bits - (signed ? 1 : 0));
  if (signed ? quotient >= limit || quotient < -limit : quotient >= limit) return false;
  setWords(0, quotient);
  setWords(2, remainder);
  return true;
}

function setWords(index: number, value: number): void {
  wideResult[index] = value % TWO_POW_32 | 0;
  wideResult[index + 1] = Math.floor(value / TWO_POW_32) | 0;
}

function divideBig(
  signed: boolean,
  bits: number,
  n0: number,
  n1: number,
  n2: number,
  n3: number,
  dLo: number,
  dHi: number,
): boolean {
  const width = BigInt(bits);
  let dividend =
    (BigInt(n3 >>> 0) << 96n) | (BigInt(n2 >>> 0) << 64n) | (BigInt(n1 >>> 0) << 32n) | BigInt(n0 >>> 0);
  let divisor = (BigInt(dHi >>> 0) << 32n) | BigInt(dLo >>> 0);
  if (signed) {
    dividend = BigInt.asIntN(bits * 2, dividend);
    divisor = BigInt.asIntN(bits, divisor);
  } else {
    dividend = BigInt.asUintN(bits * 2, dividend);
    divisor = BigInt.asUintN(bits, divisor);
  }
  const quotient = dividend / divisor;
  const remainder = dividend % divisor;
  const fits = signed
    ? quotient >= -(1n << (width - 1n)) && quotient < 1n << (width - 1n)
    : quotient < 1n << width;
  if (!fits) return false;
  const q = BigInt.asUintN(64, quotient);
  const r = BigInt.asUintN(64, remainder);
  wideResult[0] = Number(BigInt.asIntN(32, q));
  wideResult[1] = Number(BigInt.asIntN(32, q >> 32n));
  wideResult[2] = Number(BigInt.asIntN(32, r));
  wideResult[3] = Number(BigInt.asIntN(32, r >> 32n));
  return true;
}
