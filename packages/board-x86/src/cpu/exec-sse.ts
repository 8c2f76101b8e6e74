/**
 * SSE/SSE2 dispatch and floating-point arithmetic and compares (0F 51-5F, C2, 2E/2F). Moves
 * and shuffles are in sse-moves.ts, conversions in sse-conversions.ts, packed integer
 * instructions in sse-integer.ts, MXCSR rounding and flags in sse-rounding.ts.
 *
 * Operands are XMM slots of the context's register buffer: a memory source is first copied
 * into slot 16, and results that read their own destination are built in slot 17, so every
 * instruction indexes the same typed-array views. Arithmetic is host IEEE double/float
 * (Math.fround); x86 NaN rules (first-operand propagation, the negative "default NaN") are
 * applied bitwise.
 */

import type { CoreState } from "./core-state.ts";
import { Flag } from "./lazy-flags.ts";
import { convertPacked, convertScalarInteger } from "./sse-conversions.ts";
import { executeSseInteger } from "./sse-integer.ts";
import { bitwise, moveFloat, moveHalf, moveMask, shuffle, sourceSlot, storeToRm, unpackFloat } from "./sse-moves.ts";
import { isSignalingDouble, isSignalingSingle, MxcsrFlag, roundedArithmetic } from "./sse-rounding.ts";


// ---- NaN-correct lane stores ----

/** Stores double `value` into f64 lane `lane`; a NaN result follows the x86 propagation rules. */
function storeDouble(c: CoreState, lane: number, value: number, aLane: number, bLane: number): void {
  const ctx = c.ctx;
  if (value === value) {
    ctx.xmmFloat64[lane] = value;
    return;
  }
  const f64 = ctx.xmmFloat64;
  const i32 = ctx.xmmInt32;
  const a = f64[aLane] ?? 0;
  const b = f64[bLane] ?? 0;
  if (isSignalingDouble(c, aLane) || isSignalingDouble(c, bLane)) ctx.mxcsr |= MxcsrFlag.invalid;
  let lo = 0;
  let hi = 0xfff80000 | 0;
  if (a !== a) {
    lo = i32[aLane * 2] ?? 0;
    hi = (i32[aLane * 2 + 1] ?? 0) | 0x80000;
  } else if (b !== b) {
    lo = i32[bLane * 2] ?? 0;
    hi = (i32[bLane * 2 + 1] ?? 0) | 0x80000;
  } else {
    ctx.mxcsr |= MxcsrFlag.invalid;
  }
  i32[lane * 2] = lo;
  i32[lane * 2 + 1] = hi;
}

/** Stores float `value` into f32 lane `lane` with the x86 NaN rules. */
function storeSingle(c: CoreState, lane: number, value: number, aLane: number, bLane: number): void {
  const ctx = c.ctx;
  if (value === value) {
    ctx.xmmFloat32[lane] = value;
    return;
  }
  const f32 = ctx.xmmFloat32;
  const i32 = ctx.xmmInt32;
  const a = f32[aLane] ?? 0;
  const b = f32[bLane] ?? 0;
  if (isSignalingSingle(c, aLane) || isSignalingSingle(c, bLane)) ctx.mxcsr |= MxcsrFlag.invalid;
  let bits = 0xffc00000 | 0;
  if (a !== a) bits = (i32[aLane] ?? 0) | 0x400000;
  else if (b !== b) bits = (i32[bLane] ?? 0) | 0x400000;
  else ctx.mxcsr |= MxcsrFlag.invalid;
  i32[lane] = bits;
}

/** Arithmetic ops of 0F 51-5F by opcode, rounded under MXCSR (min/max/approximations are exact). */
function arithmetic(c: CoreState, opcode: number, a: number, b: number, single: boolean): number {
  let result: number;
  // MIN/MAX signal invalid on any NaN operand (they are ordered comparisons).
  if ((opcode === 0x5d || opcode === 0x5f) && (a !== a || b !== b)) c.ctx.mxcsr |= MxcsrFlag.invalid;
  switch (opcode) {
    case 0x51:
    case 0x58:
    case 0x59:
    case 0x5c:
      return roundedArithmetic(c, opcode, a, b, single);
    case 0x5e:
      if (b === 0 && a !== 0 && Number.isFinite(a)) c.ctx.mxcsr |= MxcsrFlag.divideByZero;
      return roundedArithmetic(c, opcode, a, b, single);
    case 0x52:
      result = 1 / Math.sqrt(b);
      break;
    case 0x53:
      result = 1 / b;
      break;
    case 0x5d:
      result = a < b ? a : b;
      break;
    default:
      result = a > b ? a : b;
      break;
  }
  return single ? Math.fround(result) : result;
}

/** The scalar-double form (F2 prefix) of 0F 51-5F on XMM slots `dest` and `src`. */
export function scalarDoubleArithmetic(c: CoreState, opcode: number, dest: number, src: number): void {
  const f64 = c.ctx.xmmFloat64;
  const a = f64[dest * 2] ?? 0;
  const b = f64[src * 2] ?? 0;
  const r = arithmetic(c, opcode, a, b, false);
  if (opcode === 0x5d || opcode === 0x5f) copyDoubleLane(c, r === r ? -1 : src * 2, dest * 2, r);
  else storeDouble(c, dest * 2, r, opcode <= 0x53 ? src * 2 : dest * 2, src * 2);
}

function floatArithmetic(c: CoreState, opcode: number): void {
  c.decodeModrm();
  const ctx = c.ctx;
  const dest = c.modrmReg;
  const rep = c.repPrefix;
  const unaryOnSource = opcode <= 0x53;
  // min/max return the second operand when either is NaN: do not apply NaN propagation there.
  const minMax = opcode === 0x5d || opcode === 0x5f;
  if (rep === 0xf2 || rep === 0xf3) {
    const single = rep === 0xf3;
    const src = sourceSlot(c, single ? 4 : 8, false);
    if (single) {
      const a = ctx.xmmFloat32[dest * 4] ?? 0;
      const b = ctx.xmmFloat32[src * 4] ?? 0;
      const r = arithmetic(c, opcode, a, b, true);
      if (!minMax) storeSingle(c, dest * 4, r, unaryOnSource ? src * 4 : dest * 4, src * 4);
      else if (r === r) ctx.xmmFloat32[dest * 4] = r;
      else ctx.xmmInt32[dest * 4] = ctx.xmmInt32[src * 4] ?? 0;
    } else {
      scalarDoubleArithmetic(c, opcode, dest, src);
    }
    return;
  }
  const src = sourceSlot(c, 16, true);
  if (c.prefix66) {
    for (let i = 0; i < 2; i++) {
      const a = ctx.xmmFloat64[dest * 2 + i] ?? 0;
      const b = ctx.xmmFloat64[src * 2 + i] ?? 0;
      const r = arithmetic(c, opcode, a, b, false);
      if (minMax) copyDoubleLane(c, r === r ? -1 : src * 2 + i, dest * 2 + i, r);
      else storeDouble(c, dest * 2 + i, r, unaryOnSource ? src * 2 + i : dest * 2 + i, src * 2 + i);
    }
  } else {
    for (let i = 0; i < 4; i++) {
      const a = ctx.xmmFloat32[dest * 4 + i] ?? 0;
      const b = ctx.xmmFloat32[src * 4 + i] ?? 0;
      const r = arithmetic(c, opcode, a, b, true);
      if (minMax) {
        if (r === r) ctx.xmmFloat32[dest * 4 + i] = r;
        else ctx.xmmInt32[dest * 4 + i] = ctx.xmmInt32[src * 4 + i] ?? 0;
      } else {
        storeSingle(c, dest * 4 + i, r, unaryOnSource ? src * 4 + i : dest * 4 + i, src * 4 + i);
      }
    }
  }
}

/** Writes `value` to f64 lane `to`, or copies the bits of lane `from` when it is >= 0. */
function copyDoubleLane(c: CoreState, from: number, to: number, value: number): void {
  const ctx = c.ctx;
  if (from < 0) {
    ctx.xmmFloat64[to] = value;
    return;
  }
  ctx.xmmInt32[to * 2] = ctx.xmmInt32[from * 2] ?? 0;
  ctx.xmmInt32[to * 2 + 1] = ctx.xmmInt32[from * 2 + 1] ?? 0;
}

/** Raises IE for a compare: on any NaN for the ordered predicates, on signaling NaNs otherwise. */
function compareInvalid(c: CoreState, a: number, b: number, signalsOnQuiet: boolean, signaling: boolean): void {
  if (signaling || (signalsOnQuiet && (a !== a || b !== b))) c.ctx.mxcsr |= MxcsrFlag.invalid;
}

/** CMPPS/CMPPD/CMPSS/CMPSD predicate `p` (0..7). */
function comparePredicate(a: number, b: number, p: number): boolean {
  switch (p & 7) {
    case 0:
      return a === b;
    case 1:
      return a < b;
    case 2:
      return a <= b;
    case 3:
      return a !== a || b !== b;
    case 4:
      return a !== b;
    case 5:
      return !(a < b);
    case 6:
      return !(a <= b);
    default:
      return a === a && b === b;
  }
}

function compare(c: CoreState): void {
  c.decodeModrm();
  const ctx = c.ctx;
  const dest = c.modrmReg;
  const scalar = c.repPrefix !== 0;
  const double = c.repPrefix === 0xf2 || (c.repPrefix === 0 && c.prefix66);
  const predicate = c.fetchImm8();
  const src = sourceSlot(c, scalar ? (double ? 8 : 4) : 16, !scalar);
  const signalsOnQuiet = (predicate & 3) === 1 || (predicate & 3) === 2;
  if (double) {
    const lanes = scalar ? 1 : 2;
    for (let i = 0; i < lanes; i++) {
      compareInvalid(c, ctx.xmmFloat64[dest * 2 + i] ?? 0, ctx.xmmFloat64[src * 2 + i] ?? 0, signalsOnQuiet, isSignalingDouble(c, dest * 2 + i) || isSignalingDouble(c, src * 2 + i));
      const mask = comparePredicate(ctx.xmmFloat64[dest * 2 + i] ?? 0, ctx.xmmFloat64[src * 2 + i] ?? 0, predicate) ? -1 : 0;
      ctx.xmmInt32[dest * 4 + i * 2] = mask;
      ctx.xmmInt32[dest * 4 + i * 2 + 1] = mask;
    }
  } else {
    const lanes = scalar ? 1 : 4;
    for (let i = 0; i < lanes; i++) {
      compareInvalid(c, ctx.xmmFloat32[dest * 4 + i] ?? 0, ctx.xmmFloat32[src * 4 + i] ?? 0, signalsOnQuiet, isSignalingSingle(c, dest * 4 + i) || isSignalingSingle(c, src * 4 + i));
      const hit = comparePredicate(ctx.xmmFloat32[dest * 4 + i] ?? 0, ctx.xmmFloat32[src * 4 + i] ?? 0, predicate);
      ctx.xmmInt32[dest * 4 + i] = hit ? -1 : 0;
    }
  }
}

/** COMISS/COMISD/UCOMISS/UCOMISD: ZF, PF, CF from the comparison; OF, SF, AF cleared. */
function compareToFlags(c: CoreState, ordered: boolean): void {
  c.decodeModrm();
  const ctx = c.ctx;
  const double = c.prefix66;
  const src = sourceSlot(c, double ? 8 : 4, false);
  const a = double ? (ctx.xmmFloat64[c.modrmReg * 2] ?? 0) : (ctx.xmmFloat32[c.modrmReg * 4] ?? 0);
  const b = double ? (ctx.xmmFloat64[src * 2] ?? 0) : (ctx.xmmFloat32[src * 4] ?? 0);
  const signaling = double
    ? isSignalingDouble(c, c.modrmReg * 2) || isSignalingDouble(c, src * 2)
    : isSignalingSingle(c, c.modrmReg * 4) || isSignalingSingle(c, src * 4);
  // COMIS* signal invalid on any NaN, UCOMIS* only on signaling NaNs.
  compareInvalid(c, a, b, ordered, signaling);
  let flags: number;
  if (a !== a || b !== b) flags = Flag.ZF | Flag.PF | Flag.CF;
  else if (a > b) flags = 0;
  else if (a < b) flags = Flag.CF;
  else flags = Flag.ZF;
  c.setEagerFlags(flags);
}

export function executeSse(c: CoreState, opcode: number): void {
  switch (opcode) {
    case 0x10: case 0x11: case 0x28: case 0x29:
      moveFloat(c, opcode);
      return;
    case 0x2b:
      c.decodeModrm();
      if (c.modrmMod === 3 || c.repPrefix !== 0) c.undefinedOpcode();
      storeToRm(c, c.modrmReg, 16, true);
      return;
    case 0x12: case 0x13: case 0x16: case 0x17:
      moveHalf(c, opcode);
      return;
    case 0x14:
    case 0x15:
      unpackFloat(c, opcode === 0x15);
      return;
    case 0x2a: case 0x2c: case 0x2d:
      convertScalarInteger(c, opcode);
      return;
    case 0x2e:
    case 0x2f:
      if (c.repPrefix !== 0) c.undefinedOpcode();
      compareToFlags(c, opcode === 0x2f);
      return;
    case 0x50:
      moveMask(c);
      return;
    case 0x51: case 0x52: case 0x53: case 0x58: case 0x59: case 0x5c: case 0x5d: case 0x5e: case 0x5f:
      if ((opcode === 0x52 || opcode === 0x53) && (c.prefix66 || c.repPrefix === 0xf2)) c.undefinedOpcode();
      floatArithmetic(c, opcode);
      return;
    case 0x54: case 0x55: case 0x56: case 0x57:
      if (c.repPrefix !== 0) c.undefinedOpcode();
      bitwise(c, opcode);
      return;
    case 0x5a: case 0x5b: case 0xe6:
      convertPacked(c, opcode);
      return;
    case 0xc2:
      compare(c);
      return;
    case 0xc6:
      if (c.repPrefix !== 0) c.undefinedOpcode();
      shuffle(c);
      return;
    case 0x77:
      return;
    default:
      executeSseInteger(c, opcode);
  }
}
