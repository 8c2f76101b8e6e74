/**
 * The x87 register stack as double-double registers: ST(i) access, push/pop with the tag
 * word, comparisons into the condition codes or EFLAGS, and the arithmetic shared by every
 * opcode form (exec-x87.ts decodes the forms, x87-memory.ts handles memory operands).
 */

import type { CoreState } from "./core-state.ts";
import { Flag } from "./lazy-flags.ts";
import { addExtended, divideExtended, extendedResult, multiplyExtended } from "./x87-extended.ts";

/** FSW bits. */
export const Fsw = { invalid: 0x1, zeroDivide: 0x4, stackFault: 0x40, c0: 0x100, c1: 0x200, c2: 0x400, c3: 0x4000 } as const;
export const CONDITION_BITS = Fsw.c0 | Fsw.c1 | Fsw.c2 | Fsw.c3;

export function st(c: CoreState, i: number): number {
  const ctx = c.ctx;
  return ctx.x87[(ctx.x87Top + i) & 7] ?? 0;
}

export function stLow(c: CoreState, i: number): number {
  const ctx = c.ctx;
  return ctx.x87Low[(ctx.x87Top + i) & 7] ?? 0;
}

export function setSt(c: CoreState, i: number, value: number, low = 0): void {
  const ctx = c.ctx;
  ctx.x87[(ctx.x87Top + i) & 7] = value;
  ctx.x87Low[(ctx.x87Top + i) & 7] = low;
}

/** Stores `extendedResult` into ST(i). */
export function setStResult(c: CoreState, i: number): void {
  setSt(c, i, extendedResult[0] ?? 0, extendedResult[1] ?? 0);
}

export function push(c: CoreState, value: number, low = 0): void {
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

export function pop(c: CoreState): void {
  const ctx = c.ctx;
  ctx.x87Tags &= ~(1 << ctx.x87Top);
  ctx.x87Top = (ctx.x87Top + 1) & 7;
}

/** Compares two double-doubles: -1, 0, 1, or 2 when unordered. */
export function compareExtended(aHi: number, aLo: number, bHi: number, bLo: number): number {
  if (aHi !== aHi || bHi !== bHi) return 2;
  if (aHi !== bHi) return aHi < bHi ? -1 : 1;
  if (aLo !== bLo) return aLo < bLo ? -1 : 1;
  return 0;
}

/** Sets C0/C2/C3 from comparing ST(0) with (bHi, bLo) (C1 cleared). */
export function compareToConditionCodes(c: CoreState, bHi: number, bLo: number): void {
  const order = compareExtended(st(c, 0), stLow(c, 0), bHi, bLo);
  const bits = order === 2 ? Fsw.c0 | Fsw.c2 | Fsw.c3 : order < 0 ? Fsw.c0 : order === 0 ? Fsw.c3 : 0;
  c.ctx.fswFlags = (c.ctx.fswFlags & ~CONDITION_BITS) | bits;
}

/** FCOMI/FUCOMI: ZF, PF, CF from comparing ST(0) with ST(i); OF, SF, AF cleared. */
export function compareToFlags(c: CoreState, i: number): void {
  const order = compareExtended(st(c, 0), stLow(c, 0), st(c, i), stLow(c, i));
  c.setEagerFlags(order === 2 ? Flag.ZF | Flag.PF | Flag.CF : order < 0 ? Flag.CF : order === 0 ? Flag.ZF : 0);
}

/** The arithmetic forms selected by ModRM.reg (0 add, 1 mul, 4 sub, 5 subr, 6 div, 7 divr) into `extendedResult`. */
export function arithmetic(c: CoreState, kind: number, aHi: number, aLo: number, bHi: number, bLo: number): void {
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
export function arithmeticOnTop(c: CoreState, kind: number, operandHi: number, operandLo: number): void {
  if (kind === 2 || kind === 3) {
    compareToConditionCodes(c, operandHi, operandLo);
    if (kind === 3) pop(c);
    return;
  }
  arithmetic(c, kind, st(c, 0), stLow(c, 0), operandHi, operandLo);
  setStResult(c, 0);
}

export function statusWord(c: CoreState): number {
  return (c.ctx.fswFlags & ~0x3800) | ((c.ctx.x87Top & 7) << 11);
}
