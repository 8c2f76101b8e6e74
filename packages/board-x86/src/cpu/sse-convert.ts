/**
 * Float-to-integer conversion as CVT(T)SS2SI/CVT(T)SD2SI/CVT(T)PS2DQ/CVT(T)PD2DQ define it:
 * truncation or the MXCSR rounding mode, and the "integer indefinite" value (the most negative
 * integer) with the invalid-operation flag for NaN and out-of-range inputs. The x87 FIST
 * family shares the rounding through `roundWithMode`.
 */

import type { CoreState } from "./core-state.ts";

const TWO_POW_31 = 2147483648;
const TWO_POW_32 = 4294967296;
const TWO_POW_63 = 9223372036854775808;
const MXCSR_INVALID = 1;
const MXCSR_PRECISION = 0x20;

/** Rounds to an integer: mode 0 nearest-even, 1 down, 2 up, 3 toward zero (the RC field encoding). */
export function roundWithMode(value: number, mode: number): number {
  switch (mode & 3) {
    case 0: {
      const floor = Math.floor(value);
      const difference = value - floor;
      if (difference > 0.5) return floor + 1;
      if (difference < 0.5) return floor;
      return floor % 2 === 0 ? floor : floor + 1;
    }
    case 1:
      return Math.floor(value);
    case 2:
      return Math.ceil(value);
    default:
      return Math.trunc(value);
  }
}

function rounded(c: CoreState, value: number, truncate: boolean): number {
  return truncate ? Math.trunc(value) : roundWithMode(value, c.ctx.mxcsr >> 13);
}

/** Converts to int32; NaN and overflow give 0x80000000 and set MXCSR.IE. */
export function convertToInt32(c: CoreState, value: number, truncate: boolean): number {
  const result = rounded(c, value, truncate);
  if (!(result >= -TWO_POW_31 && result < TWO_POW_31)) {
    c.ctx.mxcsr |= MXCSR_INVALID;
    return -TWO_POW_31 | 0;
  }
  if (result !== value) c.ctx.mxcsr |= MXCSR_PRECISION;
  return result | 0;
}

/** Converts to int64: returns the low half, the high half in `c.valHi`. */
export function convertToInt64(c: CoreState, value: number, truncate: boolean): number {
  const result = rounded(c, value, truncate);
  if (!(result >= -TWO_POW_63 && result < TWO_POW_63)) {
    c.ctx.mxcsr |= MXCSR_INVALID;
    c.valHi = -TWO_POW_31 | 0;
    return 0;
  }
  if (result !== value) c.ctx.mxcsr |= MXCSR_PRECISION;
  const high = Math.floor(result / TWO_POW_32);
  c.valHi = high | 0;
  return (result - high * TWO_POW_32) | 0;
}
