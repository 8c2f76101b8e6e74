/**
 * Conditions (the `cc` of `jcc`/`setcc`/`cmovcc`) computed from the last flag-setting
 * operation's operands instead of from flag bits: after `cmp a, b`, "below" is just
 * `a < b` unsigned. The code generator (emitter.ts) keeps that operation symbolically;
 * when a condition has no such form here, it asks the core for the flag bits.
 */

import { FlagKind } from "../lazy-flags.ts";
import type { Pair } from "./emitter.ts";

/** The last recorded flag operation, as names of temporaries. */
export interface FlagState {
  readonly kind: FlagKind | typeof DOUBLE_COMPARE;
  readonly size: number;
  readonly a: Pair;
  readonly b: Pair;
  readonly result: Pair;
}

/** A flag state beyond lazy-flags' kinds: the outcome of UCOMISD/COMISD. */
export const DOUBLE_COMPARE = -1;

/** `cc >> 1` evaluated from the recorded operands, or null when only the flag bits will do. */
export function fusedCondition(flags: FlagState, condition: number): string | null {
  const { kind, size } = flags;
  if (kind === DOUBLE_COMPARE) return doubleCondition(flags.a[0], flags.b[0], condition);
  const [r, rh] = flags.result;
  const bits = size * 8;
  const zero = size === 8 ? `(${r} | ${rh}) === 0` : size === 4 ? `${r} === 0` : `(${r} & ${size === 1 ? 255 : 65535}) === 0`;
  const sign = size === 8 ? `${rh} < 0` : size === 4 ? `${r} < 0` : `((${r} >> ${bits - 1}) & 1) !== 0`;
  if (kind === FlagKind.Logic) {
    switch (condition) {
      case 0:
      case 1:
        return "false";
      case 2:
      case 3:
        return zero;
      case 4:
      case 6:
        return sign;
      case 7:
        return `${zero} || ${sign}`;
      default:
        return null;
    }
  }
  if (kind !== FlagKind.Sub) {
    if (condition === 2) return zero;
    if (condition === 4) return sign;
    return null;
  }
  const [a, ah] = flags.a;
  const [b, bh] = flags.b;
  if (size === 8) {
    switch (condition) {
      case 1:
        return `${ah} !== ${bh} ? (${ah} >>> 0) < (${bh} >>> 0) : (${a} >>> 0) < (${b} >>> 0)`;
      case 2:
        return `${a} === ${b} && ${ah} === ${bh}`;
      case 3:
        return `${ah} !== ${bh} ? (${ah} >>> 0) < (${bh} >>> 0) : (${a} >>> 0) <= (${b} >>> 0)`;
      case 4:
        return sign;
      case 6:
        return `${ah} !== ${bh} ? ${ah} < ${bh} : (${a} >>> 0) < (${b} >>> 0)`;
      case 7:
        return `${ah} !== ${bh} ? ${ah} < ${bh} : (${a} >>> 0) <= (${b} >>> 0)`;
      default:
        return null;
    }
  }
  const unsignedA = size === 4 ? `(${a} >>> 0)` : a;
  const unsignedB = size === 4 ? `(${b} >>> 0)` : b;
  const shift = 32 - bits;
  const signedA = size === 4 ? a : `((${a} << ${shift}) >> ${shift})`;
  const signedB = size === 4 ? b : `((${b} << ${shift}) >> ${shift})`;
  switch (condition) {
    case 1:
      return `${unsignedA} < ${unsignedB}`;
    case 2:
      return `${a} === ${b}`;
    case 3:
      return `${unsignedA} <= ${unsignedB}`;
    case 4:
      return sign;
    case 6:
      return `${signedA} < ${signedB}`;
    case 7:
      return `${signedA} <= ${signedB}`;
    default:
      return null;
  }
}

/**
 * `cc >> 1` after UCOMISD/COMISD a, b: ZF, PF and CF are all set when unordered, OF and SF
 * are clear; the comparisons below are false on NaN exactly where the flags say so.
 */
function doubleCondition(a: string, b: string, condition: number): string {
  switch (condition) {
    case 0:
    case 4:
    case 6:
      return "false";
    case 1:
      return `!(${a} >= ${b})`;
    case 2:
    case 7:
      return `!(${a} < ${b} || ${a} > ${b})`;
    case 3:
      return `!(${a} > ${b})`;
    default:
      return `${a} !== ${a} || ${b} !== ${b}`;
  }
}
