/**
 * The x87 FPU (opcodes D8-DF): decoding of the register forms (arithmetic on ST(i), FXCH,
 * FCOMI, FCMOV, constants, FSQRT/FRNDINT/FXTRACT/FPREM, transcendental helpers, control)
 * and dispatch of the memory forms to x87-memory.ts.
 *
 * Registers hold 64-bit significands as double-doubles (x87-extended.ts, x87-stack.ts):
 * +, -, *, /, sqrt and 80-bit loads/stores are exact or correctly rounded under FCW.RC; the
 * transcendental helpers compute in double precision. docs/cpu.md describes the precision.
 */

import type { CoreState } from "./core-state.ts";
import {
  arithmetic,
  arithmeticOnTop,
  compareToConditionCodes,
  compareToFlags,
  CONDITION_BITS,
  Fsw,
  pop,
  push,
  setSt,
  setStResult,
  st,
  statusWord,
  stLow,
} from "./x87-stack.ts";
import { integerPart, memoryForm } from "./x87-memory.ts";
import {
  extendedResult,
  readExtended,
  scaleByPowerOfTwo,
  setExtendedRounding,
  sqrtExtended,
} from "./x87-extended.ts";

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
