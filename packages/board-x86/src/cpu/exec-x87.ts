/**
 * The x87 FPU (opcodes D8-DF): loads and stores in every memory format, arithmetic,
 * comparisons, transcendental helpers and the control/status/tag words.
 *
 * Registers hold 64-bit significands as double-doubles (x87-extended.ts): +, -, *, /, sqrt
 * and 80-bit loads/stores are exact or correctly rounded to nearest; the transcendental
 * helpers compute in double precision. docs/cpu.md describes the precision in full.
 */

import { Access } from "../cpu-wiring.ts";
import type { CoreState } from "./core-state.ts";
import { TWO_POW_32 } from "./core-state.ts";
import { Flag } from "./lazy-flags.ts";
import { roundWithMode } from "./sse-convert.ts";
import {
  addExtended,
  divideExtended,
  extendedResult,
  fromInt64,
  multiplyExtended,
  readExtended,
  roundToDouble,
  roundToExtended,
  setExtendedRounding,
  scaleByPowerOfTwo,
  sqrtExtended,
  writeExtended,
} from "./x87-extended.ts";

/** FSW bits. */
const Fsw = { invalid: 0x1, zeroDivide: 0x4, stackFault: 0x40, c0: 0x100, c1: 0x200, c2: 0x400, c3: 0x4000 } as const;
const CONDITION_BITS = Fsw.c0 | Fsw.c1 | Fsw.c2 | Fsw.c3;

/**
 * FLD1, FLDL2T, FLDL2E, FLDPI, FLDLG2, FLDLN2, FLDZ (D9 E8-EE) as the hardware loads them:
 * 64-bit significands (rounded to nearest) and biased exponents.
 */
const CONSTANT_IMAGES: readonly (readonly [number, number, number])[] = [
  [0x80000000, 0x00000000, 0x3fff],
  [0xd49a784b, 0xcd1b8afe, 0x4000],
  [0xb8aa3b29, 0x5c17f0bc, 0x3fff],
  [0xc90fdaa2, 0x2168c235, 0x4000],
  [0x9a209a84, 0xfbcff799, 0x3ffd],
  [0xb17217f7, 0xd1cf79ac, 0x3ffe],
  [0, 0, 0],
];
/** +1: the stored nearest value is above the exact constant, -1: below, 0: exact. */
const CONSTANT_NEAREST_ROUNDED_UP = [0, -1, 1, 1, 1, 1, 0] as const;
const CONSTANT_HIGH = new Float64Array(7);
const CONSTANT_LOW = new Float64Array(7);
{
  const image = new Uint8Array(10);
  CONSTANT_IMAGES.forEach(([high, low, exponent], index) => {
    for (let i = 0; i < 4; i++) {
      image[i] = (low >>> (8 * i)) & 0xff;
      image[4 + i] = (high >>> (8 * i)) & 0xff;
    }
    image[8] = exponent & 0xff;
    image[9] = exponent >>> 8;
    readExtended(image, 0);
    CONSTANT_HIGH[index] = extendedResult[0] ?? 0;
    CONSTANT_LOW[index] = extendedResult[1] ?? 0;
  });
}

const scratch = new ArrayBuffer(16);
const scratchFloat32 = new Float32Array(scratch);
const scratchFloat64 = new Float64Array(scratch);
const scratchInt32 = new Int32Array(scratch);
const scratchBytes = new Uint8Array(scratch);

function st(c: CoreState, i: number): number {
  const ctx = c.ctx;
  return ctx.x87[(ctx.x87Top + i) & 7] ?? 0;
}

function stLow(c: CoreState, i: number): number {
  const ctx = c.ctx;
  return ctx.x87Low[(ctx.x87Top + i) & 7] ?? 0;
}

function setSt(c: CoreState, i: number, value: number, low = 0): void {
  const ctx = c.ctx;
  ctx.x87[(ctx.x87Top + i) & 7] = value;
  ctx.x87Low[(ctx.x87Top + i) & 7] = low;
}

/** Stores `extendedResult` into ST(i). */
function setStResult(c: CoreState, i: number): void {
  setSt(c, i, extendedResult[0] ?? 0, extendedResult[1] ?? 0);
}

function push(c: CoreState, value: number, low = 0): void {
  const ctx = c.ctx;
  const top = (ctx.x87Top - 1) & 7;
  if ((ctx.x87Tags & (1 << top)) !== 0) {
    ctx.fswFlags |= Fsw.invalid | Fsw.stackFault | Fsw.c1;
    ctx.x87[top] = Number.NaN;
    ctx.x87Low[top] = 0;
  } else {
    ctx.x87[top] = value;
    ctx.x87Low[top] = low;
  }
  ctx.x87Top = top;
  ctx.x87Tags |= 1 << top;
}

function pop(c: CoreState): void {
  const ctx = c.ctx;
  ctx.x87Tags &= ~(1 << ctx.x87Top);
  ctx.x87Top = (ctx.x87Top + 1) & 7;
}

/** Compares two double-doubles: -1, 0, 1, or 2 when unordered. */
function compareExtended(aHi: number, aLo: number, bHi: number, bLo: number): number {
  if (aHi !== aHi || bHi !== bHi) return 2;
  if (aHi !== bHi) return aHi < bHi ? -1 : 1;
  if (aLo !== bLo) return aLo < bLo ? -1 : 1;
  return 0;
}

/** Sets C0/C2/C3 from comparing ST(0) with (bHi, bLo) (C1 cleared). */
function compareToConditionCodes(c: CoreState, bHi: number, bLo: number): void {
  const order = compareExtended(st(c, 0), stLow(c, 0), bHi, bLo);
  const bits = order === 2 ? Fsw.c0 | Fsw.c2 | Fsw.c3 : order < 0 ? Fsw.c0 : order === 0 ? Fsw.c3 : 0;
  c.ctx.fswFlags = (c.ctx.fswFlags & ~CONDITION_BITS) | bits;
}

/** FCOMI/FUCOMI: ZF, PF, CF from comparing ST(0) with ST(i); OF, SF, AF cleared. */
function compareToFlags(c: CoreState, i: number): void {
  const order = compareExtended(st(c, 0), stLow(c, 0), st(c, i), stLow(c, i));
  c.setEagerFlags(order === 2 ? Flag.ZF | Flag.PF | Flag.CF : order < 0 ? Flag.CF : order === 0 ? Flag.ZF : 0);
}

/** The arithmetic forms selected by ModRM.reg (0 add, 1 mul, 4 sub, 5 subr, 6 div, 7 divr) into `extendedResult`. */
function arithmetic(c: CoreState, kind: number, aHi: number, aLo: number, bHi: number, bLo: number): void {
  switch (kind) {
    case 0:
      addExtended(aHi, aLo, bHi, bLo);
      return;
    case 1:
      multiplyExtended(aHi, aLo, bHi, bLo);
      return;
    case 4:
      addExtended(aHi, aLo, -bHi, -bLo);
      return;
    case 5:
      addExtended(bHi, bLo, -aHi, -aLo);
      return;
    case 6:
      if (bHi === 0 && aHi === aHi && aHi !== 0 && Number.isFinite(aHi)) c.ctx.fswFlags |= Fsw.zeroDivide;
      divideExtended(aHi, aLo, bHi, bLo);
      return;
    default:
      if (aHi === 0 && bHi === bHi && bHi !== 0 && Number.isFinite(bHi)) c.ctx.fswFlags |= Fsw.zeroDivide;
      divideExtended(bHi, bLo, aHi, aLo);
  }
}

/** D8/DC/DA/DE memory forms and D8 register forms: ST(0) = ST(0) op operand (or compare). */
function arithmeticOnTop(c: CoreState, kind: number, operandHi: number, operandLo: number): void {
  if (kind === 2 || kind === 3) {
    compareToConditionCodes(c, operandHi, operandLo);
    if (kind === 3) pop(c);
    return;
  }
  arithmetic(c, kind, st(c, 0), stLow(c, 0), operandHi, operandLo);
  setStResult(c, 0);
}

function readFloatOperand(c: CoreState, format: number): number {
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
function integerPart(c: CoreState, truncate: boolean): void {
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
function storeInteger(c: CoreState, bytes: number, truncate: boolean): void {
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
function storeFloat(c: CoreState, format: number): void {
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

function pushExtendedFromMemory(c: CoreState): void {
  c.readBytes(c.ea, scratchBytes, 0, 10);
  readExtended(scratchBytes, 0);
  push(c, extendedResult[0] ?? 0, extendedResult[1] ?? 0);
}

/** The full 16-bit tag word (00 valid, 11 empty) for FNSTENV. */
function fullTagWord(c: CoreState): number {
  let word = 0;
  for (let i = 0; i < 8; i++) if ((c.ctx.x87Tags & (1 << i)) === 0) word |= 3 << (i * 2);
  return word;
}

function statusWord(c: CoreState): number {
  return (c.ctx.fswFlags & ~0x3800) | ((c.ctx.x87Top & 7) << 11);
}

/** FNSTENV/FLDENV in the 28-byte protected-mode format. */
function environment(c: CoreState, store: boolean): void {
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

function fxam(c: CoreState): void {
  const ctx = c.ctx;
  const value = st(c, 0);
  const sign = Object.is(value, -0) || value < 0 || (value !== value && (ctx.x87[ctx.x87Top] ?? 0) < 0) ? Fsw.c1 : 0;
  let bits: number;
  if ((ctx.x87Tags & (1 << ctx.x87Top)) === 0) bits = Fsw.c3 | Fsw.c0;
  else if (value !== value) bits = Fsw.c0;
  else if (!Number.isFinite(value)) bits = Fsw.c2 | Fsw.c0;
  else if (value === 0) bits = Fsw.c3;
  else bits = Fsw.c2;
  ctx.fswFlags = (ctx.fswFlags & ~CONDITION_BITS) | bits | sign;
}

/** FPREM (truncating) and FPREM1 (round-to-nearest) with the low quotient bits in C0/C3/C1. */
function partialRemainder(c: CoreState, nearest: boolean): void {
  const a = st(c, 0);
  const b = st(c, 1);
  let remainder = a % b;
  let quotient = Math.trunc(a / b);
  if (nearest && remainder === remainder) {
    const half = Math.abs(b) / 2;
    const magnitude = Math.abs(remainder);
    if (magnitude > half || (magnitude === half && Math.abs(quotient) % 2 === 1)) {
      remainder -= Math.sign(remainder) * Math.abs(b);
      quotient += Math.sign(a) * Math.sign(b);
    }
  }
  setSt(c, 0, remainder);
  const q = Math.abs(quotient) % 8;
  const bits = ((q & 4) !== 0 ? Fsw.c0 : 0) | ((q & 2) !== 0 ? Fsw.c3 : 0) | ((q & 1) !== 0 ? Fsw.c1 : 0);
  c.ctx.fswFlags = (c.ctx.fswFlags & ~CONDITION_BITS) | bits;
}

function registerFormD9(c: CoreState, modrm: number): void {
  const i = modrm & 7;
  const ctx = c.ctx;
  switch (modrm & 0xf8) {
    case 0xc0:
      push(c, st(c, i), stLow(c, i));
      return;
    case 0xc8: {
      const a = st(c, 0);
      const aLow = stLow(c, 0);
      setSt(c, 0, st(c, i), stLow(c, i));
      setSt(c, i, a, aLow);
      return;
    }
    case 0xd0:
      if (i === 0) return;
      break;
    case 0xe8: {
      if (i === 7) break;
      // The hardware rounds its internal constants under FCW.RC: step one unit where the
      // nearest value (stored) lies on the other side of the exact one.
      const mode = (ctx.fcw >> 10) & 3;
      const nearestWasUp = CONSTANT_NEAREST_ROUNDED_UP[i] ?? 0;
      let adjust = 0;
      if (nearestWasUp === 1 && (mode === 1 || mode === 3)) adjust = -1;
      else if (nearestWasUp === -1 && mode === 2) adjust = 1;
      const high = CONSTANT_HIGH[i] ?? 0;
      const low = CONSTANT_LOW[i] ?? 0;
      if (adjust === 0) push(c, high, low);
      else push(c, high, low + adjust * 2 ** (Math.floor(Math.log2(high)) - 63));
      return;
    }
    default:
      break;
  }
  const a = st(c, 0);
  switch (modrm) {
    case 0xe0: setSt(c, 0, -a, -stLow(c, 0)); return;
    case 0xe1: if (a < 0 || Object.is(a, -0)) setSt(c, 0, -a, -stLow(c, 0)); return;
    case 0xe4: compareToConditionCodes(c, 0, 0); return;
    case 0xe5: fxam(c); return;
    case 0xf0: setSt(c, 0, 2 ** a - 1); return;
    case 0xf1: setSt(c, 1, st(c, 1) * Math.log2(a)); pop(c); return;
    case 0xf2: setSt(c, 0, Math.tan(a)); push(c, 1); ctx.fswFlags &= ~Fsw.c2; return;
    case 0xf3: setSt(c, 1, Math.atan2(st(c, 1), a)); pop(c); return;
    case 0xf4: {
      if (a === 0) {
        setSt(c, 0, Number.NEGATIVE_INFINITY);
        push(c, a);
        ctx.fswFlags |= Fsw.zeroDivide;
        return;
      }
      const low = stLow(c, 0);
      let e = Number.isFinite(a) ? Math.floor(Math.log2(Math.abs(a))) : Number.POSITIVE_INFINITY;
      let significand = Number.isFinite(a) ? scaleByPowerOfTwo(a, -e) : a;
      if (Math.abs(significand) >= 2) e += 1;
      else if (Math.abs(significand) < 1) e -= 1;
      significand = Number.isFinite(a) ? scaleByPowerOfTwo(a, -e) : a;
      const significandLow = Number.isFinite(a) ? scaleByPowerOfTwo(low, -e) : 0;
      setSt(c, 0, e);
      push(c, significand, significandLow);
      return;
    }
    case 0xf5: partialRemainder(c, true); return;
    case 0xf6: ctx.x87Top = (ctx.x87Top - 1) & 7; return;
    case 0xf7: ctx.x87Top = (ctx.x87Top + 1) & 7; return;
    case 0xf8: partialRemainder(c, false); return;
    case 0xf9: setSt(c, 1, st(c, 1) * Math.log2(a + 1)); pop(c); return;
    case 0xfa: sqrtExtended(a, stLow(c, 0)); setStResult(c, 0); return;
    case 0xfb: setSt(c, 0, Math.sin(a)); push(c, Math.cos(a)); ctx.fswFlags &= ~Fsw.c2; return;
    case 0xfc: integerPart(c, false); setStResult(c, 0); return;
    case 0xfd: {
      const exponent = Math.trunc(st(c, 1));
      setSt(c, 0, scaleByPowerOfTwo(a, exponent), scaleByPowerOfTwo(stLow(c, 0), exponent));
      return;
    }
    case 0xfe: setSt(c, 0, Math.sin(a)); ctx.fswFlags &= ~Fsw.c2; return;
    case 0xff: setSt(c, 0, Math.cos(a)); ctx.fswFlags &= ~Fsw.c2; return;
    default: c.undefinedOpcode();
  }
}

function conditionalMove(c: CoreState, modrm: number, negate: boolean): void {
  let condition: boolean;
  switch ((modrm >> 3) & 3) {
    case 0: condition = c.getCF() !== 0; break;
    case 1: condition = c.getZF() !== 0; break;
    case 2: condition = (c.getCF() | c.getZF()) !== 0; break;
    default: condition = c.getPF() !== 0; break;
  }
  if (condition !== negate) setSt(c, 0, st(c, modrm & 7), stLow(c, modrm & 7));
}

function registerForm(c: CoreState, opcode: number, modrm: number): void {
  const i = modrm & 7;
  const kind = (modrm >> 3) & 7;
  const ctx = c.ctx;
  switch (opcode) {
    case 0xd8:
      arithmeticOnTop(c, kind, st(c, i), stLow(c, i));
      return;
    case 0xd9:
      registerFormD9(c, modrm);
      return;
    case 0xda:
      if (modrm === 0xe9) {
        compareToConditionCodes(c, st(c, 1), stLow(c, 1));
        pop(c);
        pop(c);
      } else if (modrm < 0xe0) {
        conditionalMove(c, modrm, false);
      } else {
        c.undefinedOpcode();
      }
      return;
    case 0xdb:
      if (modrm < 0xe0) conditionalMove(c, modrm, true);
      else if (modrm === 0xe2) ctx.fswFlags &= ~0x80ff;
      else if (modrm === 0xe3) {
        ctx.fcw = 0x37f;
        ctx.fswFlags = 0;
        ctx.x87Tags = 0;
        ctx.x87Top = 0;
      } else if (modrm >= 0xe8 && modrm < 0xf8) compareToFlags(c, i);
      else if (modrm !== 0xe0 && modrm !== 0xe1 && modrm !== 0xe4) c.undefinedOpcode();
      return;
    case 0xdc:
    case 0xde: {
      if (opcode === 0xde && kind === 3) {
        if (i !== 1) c.undefinedOpcode();
        compareToConditionCodes(c, st(c, 1), stLow(c, 1));
        pop(c);
        pop(c);
        return;
      }
      if (kind === 2 || kind === 3) {
        compareToConditionCodes(c, st(c, i), stLow(c, i));
        if (kind === 3 || opcode === 0xde) pop(c);
        return;
      }
      // ST(i) = ST(i) op ST(0), with the SUB/SUBR and DIV/DIVR encodings swapped.
      const swapped = kind >= 4 ? kind ^ 1 : kind;
      arithmetic(c, swapped, st(c, i), stLow(c, i), st(c, 0), stLow(c, 0));
      setStResult(c, i);
      if (opcode === 0xde) pop(c);
      return;
    }
    case 0xdd:
      switch (kind) {
        case 0: ctx.x87Tags &= ~(1 << ((ctx.x87Top + i) & 7)); return;
        case 2: setSt(c, i, st(c, 0), stLow(c, 0)); return;
        case 3: setSt(c, i, st(c, 0), stLow(c, 0)); pop(c); return;
        case 4: compareToConditionCodes(c, st(c, i), stLow(c, i)); return;
        case 5: compareToConditionCodes(c, st(c, i), stLow(c, i)); pop(c); return;
        default: c.undefinedOpcode();
      }
      return;
    default:
      if (modrm === 0xe0) c.setReg(2, 0, statusWord(c), 0);
      else if (modrm >= 0xe8 && modrm < 0xf8) {
        compareToFlags(c, i);
        pop(c);
      } else c.undefinedOpcode();
  }
}

function memoryForm(c: CoreState, opcode: number, kind: number): void {
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

export function executeX87(c: CoreState, opcode: number): void {
  c.decodeModrm();
  setExtendedRounding(c.ctx.fcw >> 10);
  if (c.modrmMod === 3) {
    const modrm = 0xc0 | ((c.modrmReg & 7) << 3) | (c.modrmRm & 7);
    registerForm(c, opcode, modrm);
  } else {
    memoryForm(c, opcode, c.modrmReg & 7);
  }
}
