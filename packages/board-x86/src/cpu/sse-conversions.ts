/**
 * SSE/SSE2 conversions between float formats and integers (0F 2A, 2C, 2D, 5A, 5B, E6), with
 * MXCSR rounding, PE and the invalid-operation rules for NaNs and out-of-range values.
 */

import { XMM_RESULT_SLOT } from "./context.ts";
import { TWO_POW_32, type CoreState } from "./core-state.ts";
import { convertToInt32, convertToInt64 } from "./sse-convert.ts";
import { isSignalingDouble, isSignalingSingle, MxcsrFlag, roundResult } from "./sse-rounding.ts";
import { copySlot, sourceSlot } from "./sse-moves.ts";

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
export function convertPacked(c: CoreState, opcode: number): void {
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
export function convertScalarInteger(c: CoreState, opcode: number): void {
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
