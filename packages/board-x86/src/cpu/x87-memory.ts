/**
 * x87 memory operands: loads and stores of m16/m32/m64 integers, m32/m64/m80 floats (exact
 * 80-bit conversions, FCW rounding on narrowing stores), FNSTENV/FLDENV, and the D8-DF
 * memory-form dispatch.
 */

import { Access } from "../cpu-wiring.ts";
import { TWO_POW_32, type CoreState } from "./core-state.ts";
import { roundWithMode } from "./sse-convert.ts";
import {
  arithmeticOnTop,
  Fsw,
  pop,
  push,
  st,
  statusWord,
  stLow,
} from "./x87-stack.ts";
import {
  extendedResult,
  fromInt64,
  readExtended,
  roundToDouble,
  roundToExtended,
  writeExtended,
} from "./x87-extended.ts";

const scratch = new ArrayBuffer(16);
const scratchFloat32 = new Float32Array(scratch);
const scratchFloat64 = new Float64Array(scratch);
const scratchInt32 = new Int32Array(scratch);
const scratchBytes = new Uint8Array(scratch);

export function readFloatOperand(c: CoreState, format: number): number {
  switch (format) {
    case 0:
      scratchInt32[0] = c.readMemory(4, c.ea);
      return scratchFloat32[0] ?? 0;
    case 1:
      return c.readMemory(4, c.ea);
    case 2:
      scratchInt32[0] = c.readMemory(8, c.ea);
      scratchInt32[1] = c.valHi;
      return scratchFloat64[0] ?? 0;
    default:
      return (c.readMemory(2, c.ea) << 16) >> 16;
  }
}

/** Rounds ST(0) to an integer (FCW rounding mode, or truncation) as a double-double in `extendedResult`. */
export function integerPart(c: CoreState, truncate: boolean): void {
  const hi = st(c, 0);
  const lo = stLow(c, 0);
  const mode = truncate ? 3 : c.ctx.fcw >> 10;
  if (Math.abs(hi) >= 2 ** 52) {
    // hi is already an integer: only the low part can hold a fraction.
    roundToExtended(hi, roundWithMode(lo, mode));
    return;
  }
  const whole = roundWithMode(hi, mode);
  // Decide from the exact fraction hi - whole + lo, not from a rounded sum.
  const fraction = hi - whole + lo;
  let result = whole;
  switch (mode & 3) {
    case 0:
      if (fraction > 0.5 || (fraction === 0.5 && whole % 2 !== 0)) result += 1;
      else if (fraction < -0.5 || (fraction === -0.5 && whole % 2 !== 0)) result -= 1;
      break;
    case 1:
      if (fraction < 0) result -= 1;
      break;
    case 2:
      if (fraction > 0) result += 1;
      break;
    default:
      if (whole > 0 && fraction < 0) result -= 1;
      else if (whole < 0 && fraction > 0) result += 1;
      else if (whole === 0 && fraction !== 0) result = 0;
  }
  // A zero result keeps the operand's sign (FRNDINT of -0.3 is -0).
  extendedResult[0] = result === 0 && (hi < 0 || Object.is(hi, -0)) ? -0 : result;
  extendedResult[1] = 0;
}

/** Integer store with the FCW rounding mode (or truncation for FISTTP); overflow stores the integer indefinite. */
export function storeInteger(c: CoreState, bytes: number, truncate: boolean): void {
  integerPart(c, truncate);
  const rounded = (extendedResult[0] ?? 0) + (extendedResult[1] ?? 0);
  const limit = 2 ** (bytes * 8 - 1);
  if (!(rounded >= -limit && rounded < limit)) {
    c.ctx.fswFlags |= Fsw.invalid;
    if (bytes === 8) c.writeMemory(8, c.ea, 0, 0x80000000 | 0);
    else c.writeMemory(bytes, c.ea, bytes === 2 ? 0x8000 : 0x80000000 | 0, 0);
    return;
  }
  if (bytes === 8) {
    const hi = extendedResult[0] ?? 0;
    const lo = extendedResult[1] ?? 0;
    const high = Math.floor(hi / TWO_POW_32);
    const low = hi - high * TWO_POW_32 + lo;
    const carry = Math.floor(low / TWO_POW_32);
    c.writeMemory(8, c.ea, (low - carry * TWO_POW_32) | 0, (high + carry) | 0);
  } else {
    c.writeMemory(bytes, c.ea, rounded | 0, 0);
  }
}

/** Stores ST(0) as m32 (format 0), m64 (2) or m80 (3). */
export function storeFloat(c: CoreState, format: number): void {
  const hi = st(c, 0);
  const lo = stLow(c, 0);
  if (format === 0) {
    scratchFloat32[0] = roundToDouble(hi, lo, true);
    c.writeMemory(4, c.ea, scratchInt32[0] ?? 0, 0);
  } else if (format === 2) {
    scratchFloat64[0] = roundToDouble(hi, lo, false);
    c.writeMemory(8, c.ea, scratchInt32[0] ?? 0, scratchInt32[1] ?? 0);
  } else {
    writeExtended(hi, lo, scratchBytes, 0);
    c.writeBytes(c.ea, scratchBytes, 0, 10);
  }
}

export function pushExtendedFromMemory(c: CoreState): void {
  c.readBytes(c.ea, scratchBytes, 0, 10);
  readExtended(scratchBytes, 0);
  push(c, extendedResult[0] ?? 0, extendedResult[1] ?? 0);
}

/** The full 16-bit tag word (00 valid, 11 empty) for FNSTENV. */
export function fullTagWord(c: CoreState): number {
  let word = 0;
  for (let i = 0; i < 8; i++) if ((c.ctx.x87Tags & (1 << i)) === 0) word |= 3 << (i * 2);
  return word;
}

/** FNSTENV/FLDENV in the 28-byte protected-mode format. */
export function environment(c: CoreState, store: boolean): void {
  const ctx = c.ctx;
  if (store) {
    c.translateRange(c.ea, Access.Write, 1);
    c.translateRange(c.ea + 27, Access.Write, 1);
    c.writeMemory(4, c.ea, ctx.fcw | 0xffff0000, 0);
    c.writeMemory(4, c.ea + 4, statusWord(c) | 0xffff0000, 0);
    c.writeMemory(4, c.ea + 8, fullTagWord(c) | 0xffff0000, 0);
    for (let offset = 12; offset < 28; offset += 4) c.writeMemory(4, c.ea + offset, 0, 0);
    ctx.fcw |= 0x3f;
    return;
  }
  const fcw = c.readMemory(2, c.ea);
  const fsw = c.readMemory(2, c.ea + 4);
  const tags = c.readMemory(2, c.ea + 8);
  ctx.fcw = fcw;
  ctx.x87Top = (fsw >> 11) & 7;
  ctx.fswFlags = fsw & ~0x3800;
  let abridged = 0;
  for (let i = 0; i < 8; i++) if (((tags >> (i * 2)) & 3) !== 3) abridged |= 1 << i;
  ctx.x87Tags = abridged;
}

export function memoryForm(c: CoreState, opcode: number, kind: number): void {
  const ctx = c.ctx;
  switch (opcode) {
    case 0xd8: arithmeticOnTop(c, kind, readFloatOperand(c, 0), 0); return;
    case 0xda: arithmeticOnTop(c, kind, readFloatOperand(c, 1), 0); return;
    case 0xdc: arithmeticOnTop(c, kind, readFloatOperand(c, 2), 0); return;
    case 0xde: arithmeticOnTop(c, kind, readFloatOperand(c, 3), 0); return;
    case 0xd9:
      switch (kind) {
        case 0: push(c, readFloatOperand(c, 0)); return;
        case 2: storeFloat(c, 0); return;
        case 3: storeFloat(c, 0); pop(c); return;
        case 4: environment(c, false); return;
        case 5: ctx.fcw = c.readMemory(2, c.ea); return;
        case 6: environment(c, true); return;
        case 7: c.writeMemory(2, c.ea, ctx.fcw, 0); return;
        default: c.undefinedOpcode();
      }
      return;
    case 0xdb:
      switch (kind) {
        case 0: push(c, readFloatOperand(c, 1)); return;
        case 1: storeInteger(c, 4, true); pop(c); return;
        case 2: storeInteger(c, 4, false); return;
        case 3: storeInteger(c, 4, false); pop(c); return;
        case 5: pushExtendedFromMemory(c); return;
        case 7: storeFloat(c, 3); pop(c); return;
        default: c.undefinedOpcode();
      }
      return;
    case 0xdd:
      switch (kind) {
        case 0: push(c, readFloatOperand(c, 2)); return;
        case 1: storeInteger(c, 8, true); pop(c); return;
        case 2: storeFloat(c, 2); return;
        case 3: storeFloat(c, 2); pop(c); return;
        case 7: c.writeMemory(2, c.ea, statusWord(c), 0); return;
        default: c.undefinedOpcode();
      }
      return;
    default:
      switch (kind) {
        case 0: push(c, readFloatOperand(c, 3)); return;
        case 1: storeInteger(c, 2, true); pop(c); return;
        case 2: storeInteger(c, 2, false); return;
        case 3: storeInteger(c, 2, false); pop(c); return;
        case 5:
          fromInt64(c.readMemory(8, c.ea), c.valHi);
          push(c, extendedResult[0] ?? 0, extendedResult[1] ?? 0);
          return;
        case 7: storeInteger(c, 8, false); pop(c); return;
        default: c.undefinedOpcode();
      }
  }
}
