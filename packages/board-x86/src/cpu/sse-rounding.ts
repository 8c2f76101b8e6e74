/**
 * MXCSR semantics for SSE arithmetic and conversions: the rounding mode (RC) and the
 * precision, overflow and underflow flags.
 *
 * The host computes with round-to-nearest only. Each operation therefore also computes the
 * sign of its rounding error with an error-free transformation (TwoSum, Dekker's product,
 * remainders for division and square root); an inexact result sets PE and, under a directed
 * rounding mode, moves one unit in the last place in the right direction.
 */

import type { CoreState } from "./core-state.ts";
import { productError } from "./x87-extended.ts";

export const MxcsrFlag = { invalid: 1, denormal: 2, divideByZero: 4, overflow: 8, underflow: 0x10, precision: 0x20 } as const;

const MIN_NORMAL_DOUBLE = 2 ** -1022;
const MIN_NORMAL_SINGLE = 2 ** -126;
const MAX_SINGLE = 3.4028234663852886e38;
/** MXCSR.RC and PE: the fast path needs RC = nearest and PE already set. */
const FAST_PATH_MASK = 0x6000 | 0x20;
/** Results at least this large cannot have underflowed (twice the smallest normal float). */
const SAFE_MAGNITUDE = 2 ** -125;

const doubleScratch = new Float64Array(1);
const doubleWords = new Int32Array(doubleScratch.buffer);
const singleScratch = new Float32Array(1);
const singleWord = new Int32Array(singleScratch.buffer);

/** The neighbouring double of finite or infinite `x`, toward +infinity if `up`. */
function nextDouble(x: number, up: boolean): number {
  if (x === 0) return up ? 5e-324 : -5e-324;
  if (!Number.isFinite(x)) return (x > 0) === up ? x : x > 0 ? Number.MAX_VALUE : -Number.MAX_VALUE;
  doubleScratch[0] = x;
  let low = doubleWords[0] ?? 0;
  let high = doubleWords[1] ?? 0;
  if ((x > 0) === up) {
    low = (low + 1) | 0;
    if (low === 0) high = (high + 1) | 0;
  } else {
    if (low === 0) high = (high - 1) | 0;
    low = (low - 1) | 0;
  }
  doubleWords[0] = low;
  doubleWords[1] = high;
  return doubleScratch[0] ?? 0;
}

/** The neighbouring float of finite or infinite float `x`, toward +infinity if `up`. */
function nextSingle(x: number, up: boolean): number {
  if (x === 0) return up ? 1.401298464324817e-45 : -1.401298464324817e-45;
  if (!Number.isFinite(x)) return (x > 0) === up ? x : x > 0 ? MAX_SINGLE : -MAX_SINGLE;
  singleScratch[0] = x;
  singleWord[0] = ((singleWord[0] ?? 0) + ((x > 0) === up ? 1 : -1)) | 0;
  return singleScratch[0] ?? 0;
}

/**
 * Rounds the exact value `sum + error` to double or single under MXCSR.RC, raising PE/OE/UE.
 * `sum` is the host's correctly rounded double; only the sign of `error` (the rest of the
 * exact value, below half an ulp of `sum`) matters.
 */
export function roundResult(c: CoreState, sum: number, error: number, single: boolean, operandsFinite: boolean): number {
  const result = single ? Math.fround(sum) : sum;
  if (result !== result) return result;
  let direction: number;
  if (!Number.isFinite(result)) {
    if (!operandsFinite) return result;
    direction = result > 0 ? -1 : 1;
    c.ctx.mxcsr |= MxcsrFlag.overflow;
  } else {
    direction = Math.sign(sum - result + error);
  }
  // Tininess is detected before rounding: the exact value sum + error is below the normal range.
  const minNormal = single ? MIN_NORMAL_SINGLE : MIN_NORMAL_DOUBLE;
  const magnitude = Math.abs(sum);
  const tiny = magnitude < minNormal || (magnitude === minNormal && Math.sign(error) === -Math.sign(sum));
  return applyRounding(c, result, direction, tiny, single);
}

/**
 * Finishes a result that the host rounded to nearest: `direction` is the sign of
 * (exact - result). Sets PE (and UE when tiny), and steps one unit for directed rounding.
 */
function applyRounding(c: CoreState, nearest: number, direction: number, tiny: boolean, single: boolean): number {
  if (direction === 0) return nearest;
  const ctx = c.ctx;
  ctx.mxcsr |= MxcsrFlag.precision;
  if (tiny) ctx.mxcsr |= MxcsrFlag.underflow;
  const mode = (ctx.mxcsr >> 13) & 3;
  const next = single ? nextSingle : nextDouble;
  if (mode === 1 && direction < 0) return next(nearest, false);
  if (mode === 2 && direction > 0) return next(nearest, true);
  if (mode === 3) {
    if (nearest > 0 && direction < 0) return next(nearest, false);
    if (nearest < 0 && direction > 0) return next(nearest, true);
  }
  return nearest;
}

/** Unbiased exponent of a finite non-zero double (denormals included). */
function exponentOf(value: number): number {
  doubleScratch[0] = value;
  const biased = ((doubleWords[1] ?? 0) >>> 20) & 0x7ff;
  return biased !== 0 ? biased - 1023 : Math.floor(Math.log2(Math.abs(value)));
}

/** `value * 2^exponent` in steps that stay exact for the magnitudes used here. */
function scale(value: number, exponent: number): number {
  let result = value;
  let remaining = exponent;
  while (remaining > 600) {
    result *= 2 ** 600;
    remaining -= 600;
  }
  while (remaining < -600) {
    result *= 2 ** -600;
    remaining += 600;
  }
  return result * 2 ** remaining;
}

/**
 * Sign of (a * b - p): operands are first normalized to [1, 2) so that Dekker's product
 * error is exact even when the real product is denormal or near overflow.
 */
function productErrorSign(a: number, b: number, p: number): number {
  const ea = exponentOf(a);
  const eb = exponentOf(b);
  const an = scale(a, -ea);
  const bn = scale(b, -eb);
  const pn = scale(p, -ea - eb);
  const product = an * bn;
  return Math.sign(product - pn + productError(an, bn, product));
}

/** Sign of (a / b - q), from the remainder a - q * b computed on normalized operands. */
function quotientErrorSign(a: number, b: number, q: number): number {
  const ea = exponentOf(a);
  const eb = exponentOf(b);
  const an = scale(a, -ea);
  const bn = scale(b, -eb);
  const qn = scale(q, eb - ea);
  const product = qn * bn;
  return Math.sign(an - product - productError(qn, bn, product)) * Math.sign(bn);
}

/** Sign of (sqrt(b) - s), from b - s * s on operands scaled by an even power of two. */
function rootErrorSign(b: number, s: number): number {
  const half = Math.floor(exponentOf(b) / 2);
  const bn = scale(b, -2 * half);
  const sn = scale(s, -half);
  const square = sn * sn;
  return Math.sign(bn - square - productError(sn, sn, square));
}

/** ADD/SUB/MUL/DIV/SQRT (opcodes 58, 5C, 59, 5E, 51) of a and b under MXCSR. */
export function roundedArithmetic(c: CoreState, opcode: number, a: number, b: number, single: boolean): number {
  if ((c.ctx.mxcsr & FAST_PATH_MASK) === MxcsrFlag.precision) {
    // Rounding to nearest with PE already raised (the usual state after the first inexact
    // operation): the host's result is the answer unless OE or UE could newly arise.
    const quick = opcode === 0x58 ? a + b : opcode === 0x5c ? a - b : opcode === 0x59 ? a * b : opcode === 0x51 ? Math.sqrt(b) : a / b;
    const result = single ? Math.fround(quick) : quick;
    const magnitude = Math.abs(result);
    if (magnitude >= SAFE_MAGNITUDE && magnitude <= MAX_SINGLE) return result;
    if (!single && magnitude >= SAFE_MAGNITUDE && magnitude <= Number.MAX_VALUE) return result;
  }
  let sum: number;
  let error = 0;
  let finite = Number.isFinite(a) && Number.isFinite(b);
  switch (opcode) {
    case 0x51:
      sum = Math.sqrt(b);
      finite = Number.isFinite(b);
      if (sum > 0 && Number.isFinite(sum)) error = rootErrorSign(b, sum) * Number.MIN_VALUE;
      break;
    case 0x58:
    case 0x5c: {
      const addend = opcode === 0x58 ? b : -b;
      sum = a + addend;
      const virtual = sum - a;
      error = a - (sum - virtual) + (addend - virtual);
      if (sum === 0 && ((c.ctx.mxcsr >> 13) & 3) === 1) {
        // An exact zero sum is -0 when rounding down (and -0 + -0 stays -0 anyway).
        sum = a === 0 && addend === 0 && !Object.is(a, -0) && !Object.is(addend, -0) ? 0 : -0;
        return single ? Math.fround(sum) : sum;
      }
      break;
    }
    case 0x59:
      sum = a * b;
      if (finite && a !== 0 && b !== 0) {
        error = Number.isFinite(sum) ? productErrorSign(a, b, sum) * Number.MIN_VALUE : 0;
      }
      break;
    default:
      sum = a / b;
      // Division by zero gives an exact infinity (ZE is the caller's), not an overflow.
      if (b === 0) return single ? Math.fround(sum) : sum;
      if (finite && a !== 0 && Number.isFinite(sum)) error = quotientErrorSign(a, b, sum) * Number.MIN_VALUE;
      break;
  }
  if (!Number.isFinite(error)) error = 0;
  return roundResult(c, sum, error, single, finite);
}

/** Whether f64 lane `lane` of the XMM file holds a signaling NaN. */
export function isSignalingDouble(c: CoreState, lane: number): boolean {
  const high = c.ctx.xmmInt32[lane * 2 + 1] ?? 0;
  const low = c.ctx.xmmInt32[lane * 2] ?? 0;
  return (high & 0x7ff00000) === 0x7ff00000 && (high & 0x80000) === 0 && ((high & 0x7ffff) | low) !== 0;
}

/** Whether f32 lane `lane` of the XMM file holds a signaling NaN. */
export function isSignalingSingle(c: CoreState, lane: number): boolean {
  const bits = c.ctx.xmmInt32[lane] ?? 0;
  return (bits & 0x7f800000) === 0x7f800000 && (bits & 0x400000) === 0 && (bits & 0x3fffff) !== 0;
}
