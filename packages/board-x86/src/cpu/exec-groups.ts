/**
 * Opcode groups whose operation is chosen by the ModRM reg field: group 3 (TEST/NOT/NEG/MUL/
 * IMUL/DIV/IDIV), the multi-operand IMUL forms, and groups 4/5 (INC/DEC, indirect CALL/JMP,
 * PUSH r/m). Multiplication and division in every width go through wide-math.ts.
 */

import { ExceptionVector } from "../machine.ts";
import { aluBinary, AluOp, incDec, negate, sizeMask } from "./alu.ts";
import { TWO_POW_32, unsignedOf, type CoreState } from "./core-state.ts";
import { Flag, resultFlags } from "./lazy-flags.ts";
import {
  divide,
  multiplySigned32,
  multiplySigned64,
  multiplyUnsigned32,
  multiplyUnsigned64,
  wideResult,
} from "./wide-math.ts";

function signExtend(size: number, value: number): number {
  const shift = 32 - size * 8;
  return (value << shift) >> shift;
}

/** Sets the flags of a multiplication: CF = OF = `overflow`, SF/ZF/PF from the low half. */
function multiplyFlags(c: CoreState, size: number, lo: number, hi: number, overflow: boolean): void {
  c.setEagerFlags(resultFlags(size, lo, hi) | (overflow ? Flag.CF | Flag.OF : 0));
}

/** Signed product of two `size`-byte values: low half returned (high in valHi), overflow in the flags. */
function signedProduct(c: CoreState, size: number, a: number, aHi: number, b: number, bHi: number): number {
  let lo: number;
  let hi = 0;
  let overflow: boolean;
  if (size === 8) {
    multiplySigned64(a, aHi, b, bHi);
    lo = wideResult[0] ?? 0;
    hi = wideResult[1] ?? 0;
    const sign = hi >> 31;
    overflow = wideResult[2] !== sign || wideResult[3] !== sign;
  } else if (size === 4) {
    multiplySigned32(a, b);
    lo = wideResult[0] ?? 0;
    overflow = wideResult[1] !== lo >> 31;
  } else {
    const product = signExtend(size, a) * signExtend(size, b);
    lo = product & sizeMask(size);
    overflow = product !== signExtend(size, product);
  }
  multiplyFlags(c, size, lo, hi, overflow);
  c.valHi = hi;
  return lo;
}

/** IMUL r, r/m (0F AF), IMUL r, r/m, imm32 (69) and IMUL r, r/m, imm8 (6B). */
export function executeImul(c: CoreState, opcode: number): void {
  const size = c.operandSize;
  c.decodeModrm();
  let b: number;
  let bHi: number;
  // Immediates first: a RIP-relative operand's address is relative to the end of the instruction.
  if (opcode === 0x69) {
    b = c.fetchImmediate(size);
    bHi = b >> 31;
  } else if (opcode === 0x6b) {
    b = c.fetchS8();
    bHi = b >> 31;
  } else {
    b = c.getReg(size, c.modrmReg);
    bHi = c.valHi;
  }
  const a = c.readRm(size);
  const aHi = c.valHi;
  const lo = signedProduct(c, size, a, aHi, b, bHi);
  c.setReg(size, c.modrmReg, lo, c.valHi);
}

/** Group 3 (F6/F7). */
export function executeGroup3(c: CoreState, opcode: number): void {
  const size = opcode === 0xf6 ? 1 : c.operandSize;
  c.decodeModrm();
  const kind = c.modrmReg & 7;
  switch (kind) {
    case 0:
    case 1: {
      const b = c.fetchImmediate(size);
      const a = c.readRm(size);
      const aHi = c.valHi;
      aluBinary(c, AluOp.And, size, a, aHi, b, b >> 31);
      return;
    }
    case 2: {
      const a = c.readRmForUpdate(size);
      c.writeRm(size, ~a, ~c.valHi);
      return;
    }
    case 3: {
      const a = c.readRmForUpdate(size);
      const result = negate(c, size, a, c.valHi);
      c.writeRm(size, result, c.valHi);
      return;
    }
    case 4:
    case 5:
      multiplyAccumulator(c, size, kind === 5);
      return;
    default:
      divideAccumulator(c, size, kind === 7);
  }
}

/** MUL/IMUL r/m: rDX:rAX (or AX) = rAX * r/m. */
function multiplyAccumulator(c: CoreState, size: number, signed: boolean): void {
  const b = c.readRm(size);
  const bHi = c.valHi;
  const a = c.getReg(size, 0);
  const aHi = c.valHi;
  if (size === 1 || size === 2) {
    const product = signed ? signExtend(size, a) * signExtend(size, b) : (a & sizeMask(size)) * (b & sizeMask(size));
    const overflow = signed ? product !== signExtend(size, product) : product >>> (size * 8) !== 0;
    if (size === 1) {
      c.setReg(2, 0, product, 0);
    } else {
      c.setReg(2, 0, product, 0);
      c.setReg(2, 2, product >> 16, 0);
    }
    multiplyFlags(c, size, product, 0, overflow);
    return;
  }
  if (size === 4) {
    if (signed) multiplySigned32(a, b);
    else multiplyUnsigned32(a, b);
    const lo = wideResult[0] ?? 0;
    const hi = wideResult[1] ?? 0;
    c.setReg(4, 0, lo, 0);
    c.setReg(4, 2, hi, 0);
    multiplyFlags(c, 4, lo, 0, signed ? hi !== lo >> 31 : hi !== 0);
    return;
  }
  if (signed) multiplySigned64(a, aHi, b, bHi);
  else multiplyUnsigned64(a, aHi, b, bHi);
  const w0 = wideResult[0] ?? 0;
  const w1 = wideResult[1] ?? 0;
  const w2 = wideResult[2] ?? 0;
  const w3 = wideResult[3] ?? 0;
  c.setReg(8, 0, w0, w1);
  c.setReg(8, 2, w2, w3);
  const overflow = signed ? w2 !== w1 >> 31 || w3 !== w1 >> 31 : (w2 | w3) !== 0;
  multiplyFlags(c, 8, w0, w1, overflow);
}

/** DIV/IDIV r/m: quotient to rAX (AL), remainder to rDX (AH); #DE on zero or overflow. */
function divideAccumulator(c: CoreState, size: number, signed: boolean): void {
  const d = c.readRm(size);
  const dHi = c.valHi;
  if (size === 1) {
    const dividend = (c.gprLo[0] ?? 0) & 0xffff;
    const divisor = signed ? signExtend(1, d) : d & 0xff;
    if (divisor === 0) c.raise(ExceptionVector.DivideError);
    const numerator = signed ? signExtend(2, dividend) : dividend;
    const quotient = Math.trunc(numerator / divisor);
    const remainder = numerator - quotient * divisor;
    if (signed ? quotient > 127 || quotient < -128 : quotient > 255) c.raise(ExceptionVector.DivideError);
    c.setReg(2, 0, (quotient & 0xff) | ((remainder & 0xff) << 8), 0);
    return;
  }
  let ok: boolean;
  if (size === 2) {
    const dividend = ((c.gprLo[2] ?? 0) << 16) | ((c.gprLo[0] ?? 0) & 0xffff);
    const extension = signed ? dividend >> 31 : 0;
    const divisor = signed ? signExtend(2, d) : d & 0xffff;
    ok = divide(signed, 16, signed ? dividend : dividend >>> 0, extension, extension, extension, divisor, signed ? divisor >> 31 : 0);
    if (!ok) c.raise(ExceptionVector.DivideError);
    c.setReg(2, 0, wideResult[0] ?? 0, 0);
    c.setReg(2, 2, wideResult[2] ?? 0, 0);
    return;
  }
  if (size === 4) {
    const high = c.gprLo[2] ?? 0;
    const extension = signed ? high >> 31 : 0;
    ok = divide(signed, 32, c.gprLo[0] ?? 0, high, extension, extension, d, signed ? d >> 31 : 0);
    if (!ok) c.raise(ExceptionVector.DivideError);
    c.setReg(4, 0, wideResult[0] ?? 0, 0);
    c.setReg(4, 2, wideResult[2] ?? 0, 0);
    return;
  }
  ok = divide(signed, 64, c.gprLo[0] ?? 0, c.gprHi[0] ?? 0, c.gprLo[2] ?? 0, c.gprHi[2] ?? 0, d, dHi);
  if (!ok) c.raise(ExceptionVector.DivideError);
  c.setReg(8, 0, wideResult[0] ?? 0, wideResult[1] ?? 0);
  c.setReg(8, 2, wideResult[2] ?? 0, wideResult[3] ?? 0);
}

/** Group 4 (FE: INC/DEC r/m8) and the INC/DEC half of group 5. */
export function executeIncDec(c: CoreState, size: number): void {
  if (size === 1) c.decodeModrm();
  const kind = c.modrmReg & 7;
  if (kind > 1) c.undefinedOpcode();
  const value = c.readRmForUpdate(size);
  const result = incDec(c, size, value, c.valHi, kind === 0 ? 1 : -1);
  c.writeRm(size, result, c.valHi);
}

/** Group 5 (FF): INC, DEC, CALL r/m, JMP r/m, PUSH r/m. */
export function executeGroup5(c: CoreState): void {
  c.decodeModrm();
  switch (c.modrmReg & 7) {
    case 0:
    case 1:
      executeIncDec(c, c.operandSize);
      return;
    case 2: {
      const low = c.readRm(8);
      const target = unsignedOf(low, c.valHi);
      const returnAddress = c.currentRip();
      c.push64(returnAddress % TWO_POW_32 | 0, Math.floor(returnAddress / TWO_POW_32));
      c.jump(target);
      return;
    }
    case 4: {
      const low = c.readRm(8);
      c.jump(unsignedOf(low, c.valHi));
      return;
    }
    case 6: {
      const low = c.readRm(8);
      c.push64(low, c.valHi);
      return;
    }
    default:
      c.undefinedOpcode();
  }
}
