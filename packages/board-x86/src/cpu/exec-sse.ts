/**
 * SSE/SSE2 dispatch, data movement and floating point (0F 10-17, 28-2F, 50-5F, C2, C6, E6 and
 * the 66-prefixed moves). Packed integer instructions live in sse-integer.ts.
 *
 * Operands are XMM slots of the context's register buffer: a memory source is first copied
 * into slot 16, and results that read their own destination are built in slot 17, so every
 * instruction indexes the same typed-array views. Arithmetic is host IEEE double/float
 * (Math.fround) with round-to-nearest; x86 NaN rules (first-operand propagation, the
 * negative "default NaN") are applied bitwise. See docs/cpu.md for what MXCSR covers.
 */

import { ExceptionVector } from "../machine.ts";
import { XMM_RESULT_SLOT, XMM_SOURCE_SLOT } from "./context.ts";
import { TWO_POW_32, type CoreState } from "./core-state.ts";
import { Flag } from "./lazy-flags.ts";
import { executeSseInteger } from "./sse-integer.ts";
import { convertToInt32, convertToInt64 } from "./sse-convert.ts";
import { isSignalingDouble, isSignalingSingle, MxcsrFlag, roundedArithmetic, roundResult } from "./sse-rounding.ts";


/** Loads the r/m source operand (`bytes` = 4, 8 or 16) and returns its XMM slot. */
export function sourceSlot(c: CoreState, bytes: number, aligned: boolean): number {
  if (c.modrmMod === 3) return c.modrmRm;
  const ctx = c.ctx;
  const base = XMM_SOURCE_SLOT * 4;
  if (bytes === 16) {
    if (aligned && c.ea % 16 !== 0) c.raise(ExceptionVector.GeneralProtection);
    c.read128(c.ea, XMM_SOURCE_SLOT);
  } else if (bytes === 8) {
    ctx.xmmInt32[base] = c.readMemory(8, c.ea);
    ctx.xmmInt32[base + 1] = c.valHi;
  } else {
    ctx.xmmInt32[base] = c.readMemory(4, c.ea);
  }
  return XMM_SOURCE_SLOT;
}

/** Copies 16 bytes between slots. */
export function copySlot(c: CoreState, from: number, to: number): void {
  const i32 = c.ctx.xmmInt32;
  i32.copyWithin(to * 4, from * 4, from * 4 + 4);
}

/** Writes `bytes` (4, 8, 16) of slot `slot` to the r/m destination (register: the whole slot is copied for 16). */
function storeToRm(c: CoreState, slot: number, bytes: number, aligned: boolean): void {
  const ctx = c.ctx;
  if (c.modrmMod === 3) {
    if (bytes === 16) copySlot(c, slot, c.modrmRm);
    else {
      const to = c.modrmRm * 4;
      ctx.xmmInt32[to] = ctx.xmmInt32[slot * 4] ?? 0;
      if (bytes === 8) ctx.xmmInt32[to + 1] = ctx.xmmInt32[slot * 4 + 1] ?? 0;
    }
    return;
  }
  if (bytes === 16) {
    if (aligned && c.ea % 16 !== 0) c.raise(ExceptionVector.GeneralProtection);
    c.write128(c.ea, slot);
  } else {
    c.writeMemory(bytes, c.ea, ctx.xmmInt32[slot * 4] ?? 0, ctx.xmmInt32[slot * 4 + 1] ?? 0);
  }
}

function zeroUpper(c: CoreState, slot: number, fromDword: number): void {
  c.ctx.xmmInt32.fill(0, slot * 4 + fromDword, slot * 4 + 4);
}

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
      const a = ctx.xmmFloat64[dest * 2] ?? 0;
      const b = ctx.xmmFloat64[src * 2] ?? 0;
      const r = arithmetic(c, opcode, a, b, false);
      if (minMax) copyDoubleLane(c, r === r ? -1 : src * 2, dest * 2, r);
      else storeDouble(c, dest * 2, r, unaryOnSource ? src * 2 : dest * 2, src * 2);
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

/** IE for a format conversion of a signaling NaN. */
function signalOnSignaling(c: CoreState, signaling: boolean): void {
  if (signaling) c.ctx.mxcsr |= MxcsrFlag.invalid;
}

/** A double converted to float under MXCSR (NaNs keep their payload, quieted). */
function narrowToSingle(c: CoreState, value: number): number {
  if (value !== value) return value;
  return roundResult(c, value, 0, true, Number.isFinite(value));
}

/** 0F 5A, 0F 5B, 0F E6: conversions between float formats and packed int32. */
function convertPacked(c: CoreState, opcode: number): void {
  c.decodeModrm();
  const ctx = c.ctx;
  const dest = c.modrmReg;
  const rep = c.repPrefix;
  const out = XMM_RESULT_SLOT;
  const f32 = ctx.xmmFloat32;
  const f64 = ctx.xmmFloat64;
  const i32 = ctx.xmmInt32;
  if (opcode === 0x5a) {
    if (rep === 0xf3) {
      const src = sourceSlot(c, 4, false);
      signalOnSignaling(c, isSignalingSingle(c, src * 4));
      f64[dest * 2] = f32[src * 4] ?? 0;
    } else if (rep === 0xf2) {
      const src = sourceSlot(c, 8, false);
      signalOnSignaling(c, isSignalingDouble(c, src * 2));
      f32[dest * 4] = narrowToSingle(c, f64[src * 2] ?? 0);
    } else if (c.prefix66) {
      const src = sourceSlot(c, 16, true);
      signalOnSignaling(c, isSignalingDouble(c, src * 2) || isSignalingDouble(c, src * 2 + 1));
      f32[out * 4] = narrowToSingle(c, f64[src * 2] ?? 0);
      f32[out * 4 + 1] = narrowToSingle(c, f64[src * 2 + 1] ?? 0);
      i32[out * 4 + 2] = 0;
      i32[out * 4 + 3] = 0;
      copySlot(c, out, dest);
    } else {
      const src = sourceSlot(c, 8, false);
      signalOnSignaling(c, isSignalingSingle(c, src * 4) || isSignalingSingle(c, src * 4 + 1));
      f64[out * 2] = f32[src * 4] ?? 0;
      f64[out * 2 + 1] = f32[src * 4 + 1] ?? 0;
      copySlot(c, out, dest);
    }
    return;
  }
  if (opcode === 0x5b) {
    const src = sourceSlot(c, 16, true);
    for (let i = 0; i < 4; i++) {
      if (rep === 0 && !c.prefix66) f32[out * 4 + i] = roundResult(c, i32[src * 4 + i] ?? 0, 0, true, true);
      else i32[out * 4 + i] = convertToInt32(c, f32[src * 4 + i] ?? 0, rep === 0xf3);
    }
    copySlot(c, out, dest);
    return;
  }
  // 0F E6: F3 cvtdq2pd, 66 cvttpd2dq, F2 cvtpd2dq.
  if (rep === 0xf3) {
    const src = sourceSlot(c, 8, false);
    f64[out * 2] = i32[src * 4] ?? 0;
    f64[out * 2 + 1] = i32[src * 4 + 1] ?? 0;
  } else if (rep === 0xf2 || c.prefix66) {
    const src = sourceSlot(c, 16, true);
    i32[out * 4] = convertToInt32(c, f64[src * 2] ?? 0, c.prefix66);
    i32[out * 4 + 1] = convertToInt32(c, f64[src * 2 + 1] ?? 0, c.prefix66);
    i32[out * 4 + 2] = 0;
    i32[out * 4 + 3] = 0;
  } else {
    c.undefinedOpcode();
  }
  copySlot(c, out, dest);
}

/** CVTSI2SS/SD (2A), CVTTSS2SI/CVTTSD2SI (2C), CVTSS2SI/CVTSD2SI (2D). */
function convertScalarInteger(c: CoreState, opcode: number): void {
  const rep = c.repPrefix;
  if (rep !== 0xf2 && rep !== 0xf3) c.undefinedOpcode();
  c.decodeModrm();
  const ctx = c.ctx;
  const double = rep === 0xf2;
  if (opcode === 0x2a) {
    let value: number;
    let error = 0;
    const low = c.readRm(c.operandSize === 8 ? 8 : 4);
    if (c.operandSize === 8) {
      value = c.valHi * TWO_POW_32 + (low >>> 0);
      error = c.valHi * TWO_POW_32 - value + (low >>> 0);
    } else {
      value = low;
    }
    if (double) ctx.xmmFloat64[c.modrmReg * 2] = roundResult(c, value, error, false, true);
    else ctx.xmmFloat32[c.modrmReg * 4] = roundResult(c, value, error, true, true);
    return;
  }
  const src = sourceSlot(c, double ? 8 : 4, false);
  const value = double ? (ctx.xmmFloat64[src * 2] ?? 0) : (ctx.xmmFloat32[src * 4] ?? 0);
  const truncate = opcode === 0x2c;
  if (c.operandSize === 8) {
    const low = convertToInt64(c, value, truncate);
    c.setReg(8, c.modrmReg, low, c.valHi);
  } else {
    c.setReg(4, c.modrmReg, convertToInt32(c, value, truncate), 0);
  }
}

function shuffle(c: CoreState): void {
  c.decodeModrm();
  const ctx = c.ctx;
  const dest = c.modrmReg;
  const imm = c.fetchImm8();
  const src = sourceSlot(c, 16, true);
  const i32 = ctx.xmmInt32;
  const out = XMM_RESULT_SLOT * 4;
  if (c.prefix66) {
    const lowFrom = dest * 4 + (imm & 1) * 2;
    const highFrom = src * 4 + ((imm >> 1) & 1) * 2;
    i32[out] = i32[lowFrom] ?? 0;
    i32[out + 1] = i32[lowFrom + 1] ?? 0;
    i32[out + 2] = i32[highFrom] ?? 0;
    i32[out + 3] = i32[highFrom + 1] ?? 0;
  } else {
    i32[out] = i32[dest * 4 + (imm & 3)] ?? 0;
    i32[out + 1] = i32[dest * 4 + ((imm >> 2) & 3)] ?? 0;
    i32[out + 2] = i32[src * 4 + ((imm >> 4) & 3)] ?? 0;
    i32[out + 3] = i32[src * 4 + ((imm >> 6) & 3)] ?? 0;
  }
  copySlot(c, XMM_RESULT_SLOT, dest);
}

/** UNPCKLPS/UNPCKHPS/UNPCKLPD/UNPCKHPD (0F 14, 0F 15). */
function unpackFloat(c: CoreState, high: boolean): void {
  c.decodeModrm();
  const dest = c.modrmReg;
  const src = sourceSlot(c, 16, true);
  const i32 = c.ctx.xmmInt32;
  const out = XMM_RESULT_SLOT * 4;
  const half = high ? 2 : 0;
  if (c.prefix66) {
    i32[out] = i32[dest * 4 + half] ?? 0;
    i32[out + 1] = i32[dest * 4 + half + 1] ?? 0;
    i32[out + 2] = i32[src * 4 + half] ?? 0;
    i32[out + 3] = i32[src * 4 + half + 1] ?? 0;
  } else {
    i32[out] = i32[dest * 4 + half] ?? 0;
    i32[out + 1] = i32[src * 4 + half] ?? 0;
    i32[out + 2] = i32[dest * 4 + half + 1] ?? 0;
    i32[out + 3] = i32[src * 4 + half + 1] ?? 0;
  }
  copySlot(c, XMM_RESULT_SLOT, dest);
}

/** Bitwise ANDPS/ANDNPS/ORPS/XORPS (and the PD forms). */
function bitwise(c: CoreState, opcode: number): void {
  c.decodeModrm();
  const dest = c.modrmReg * 4;
  const src = sourceSlot(c, 16, true) * 4;
  const i32 = c.ctx.xmmInt32;
  for (let i = 0; i < 4; i++) {
    const a = i32[dest + i] ?? 0;
    const b = i32[src + i] ?? 0;
    i32[dest + i] = opcode === 0x54 ? a & b : opcode === 0x55 ? ~a & b : opcode === 0x56 ? a | b : a ^ b;
  }
}

/** MOVUPS/MOVSS/MOVUPD/MOVSD (10/11), MOVAPS/MOVAPD (28/29), MOVNTPS (2B). */
function moveFloat(c: CoreState, opcode: number): void {
  c.decodeModrm();
  const rep = c.repPrefix;
  const scalarBytes = rep === 0xf3 ? 4 : rep === 0xf2 ? 8 : 0;
  const aligned = opcode >= 0x28;
  if (opcode === 0x10 || opcode === 0x28) {
    if (scalarBytes !== 0) {
      const src = sourceSlot(c, scalarBytes, false);
      const i32 = c.ctx.xmmInt32;
      i32[c.modrmReg * 4] = i32[src * 4] ?? 0;
      if (scalarBytes === 8) i32[c.modrmReg * 4 + 1] = i32[src * 4 + 1] ?? 0;
      if (c.modrmMod !== 3) zeroUpper(c, c.modrmReg, scalarBytes / 4);
    } else {
      copySlot(c, sourceSlot(c, 16, aligned), c.modrmReg);
    }
    return;
  }
  storeToRm(c, c.modrmReg, scalarBytes === 0 ? 16 : scalarBytes, aligned);
}

/** MOVLPS/MOVHPS/MOVLPD/MOVHPD and MOVHLPS/MOVLHPS (0F 12, 13, 16, 17). */
function moveHalf(c: CoreState, opcode: number): void {
  if (c.repPrefix !== 0) c.undefinedOpcode();
  c.decodeModrm();
  const i32 = c.ctx.xmmInt32;
  const reg = c.modrmReg * 4;
  const highHalf = opcode >= 0x16 ? 2 : 0;
  if (opcode === 0x12 || opcode === 0x16) {
    if (c.modrmMod === 3) {
      if (c.prefix66) c.undefinedOpcode();
      const from = c.modrmRm * 4 + (opcode === 0x12 ? 2 : 0);
      i32[reg + highHalf] = i32[from] ?? 0;
      i32[reg + highHalf + 1] = i32[from + 1] ?? 0;
      return;
    }
    i32[reg + highHalf] = c.readMemory(8, c.ea);
    i32[reg + highHalf + 1] = c.valHi;
    return;
  }
  if (c.modrmMod === 3) c.undefinedOpcode();
  c.writeMemory(8, c.ea, i32[reg + highHalf] ?? 0, i32[reg + highHalf + 1] ?? 0);
}

function moveMask(c: CoreState): void {
  c.decodeModrm();
  if (c.modrmMod !== 3) c.undefinedOpcode();
  const i32 = c.ctx.xmmInt32;
  const src = c.modrmRm * 4;
  let mask = 0;
  if (c.prefix66) mask = ((i32[src + 1] ?? 0) >>> 31) | (((i32[src + 3] ?? 0) >>> 31) << 1);
  else for (let i = 0; i < 4; i++) mask |= ((i32[src + i] ?? 0) >>> 31) << i;
  c.setReg(4, c.modrmReg, mask, 0);
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
