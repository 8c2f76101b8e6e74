/**
 * Integer arithmetic and logic in 8/16/32/64-bit forms over lo/hi int32 halves.
 *
 * Each function takes its operands as halves (high halves are ignored below 64 bits), returns
 * the low half of the result, leaves the high half in `core.valHi`, and records the flags:
 * lazily for the regular add/sub/logic family, eagerly for shifts and rotates, whose flag
 * rules depend on the count.
 */

import type { CoreState } from "./core-state.ts";
import { FlagKind } from "./lazy-flags.ts";

/** The group-2 operation in the /r field of C0/C1/D0-D3 (SAL is SHL). */
export const ShiftKind = { Rol: 0, Ror: 1, Rcl: 2, Rcr: 3, Shl: 4, Shr: 5, Sal: 6, Sar: 7 } as const;

/** The ALU operation in bits 3-5 of opcodes 0x00-0x3f and the /r field of 0x80-0x83. */
export const AluOp = { Add: 0, Or: 1, Adc: 2, Sbb: 3, And: 4, Sub: 5, Xor: 6, Cmp: 7 } as const;

/** Mask of a `size`-byte value held in an int32 (size < 8). */
export function sizeMask(size: number): number {
  return size === 1 ? 0xff : size === 2 ? 0xffff : -1;
}

/** Performs ALU operation `op`; for Cmp the result is the difference (the caller discards it). */
export function aluBinary(
  core: CoreState,
  op: number,
  size: number,
  aLo: number,
  aHi: number,
  bLo: number,
  bHi: number,
): number {
  let rLo: number;
  let rHi = 0;
  switch (op) {
    case AluOp.Add:
      rLo = (aLo + bLo) | 0;
      if (size === 8) rHi = (aHi + bHi + (rLo >>> 0 < aLo >>> 0 ? 1 : 0)) | 0;
      core.recordFlags(FlagKind.Add, size, aLo, aHi, bLo, bHi, rLo, rHi);
      break;
    case AluOp.Adc: {
      const carry = core.getCF();
      rLo = (aLo + bLo + carry) | 0;
      if (size === 8) {
        const out = carry !== 0 ? rLo >>> 0 <= aLo >>> 0 : rLo >>> 0 < aLo >>> 0;
        rHi = (aHi + bHi + (out ? 1 : 0)) | 0;
      }
      core.recordFlags(FlagKind.Adc, size, aLo, aHi, bLo, bHi, rLo, rHi);
      core.carryIn = carry;
      break;
    }
    case AluOp.Sub:
    case AluOp.Cmp:
      rLo = (aLo - bLo) | 0;
      if (size === 8) rHi = (aHi - bHi - (aLo >>> 0 < bLo >>> 0 ? 1 : 0)) | 0;
      core.recordFlags(FlagKind.Sub, size, aLo, aHi, bLo, bHi, rLo, rHi);
      break;
    case AluOp.Sbb: {
      const borrow = core.getCF();
      rLo = (aLo - bLo - borrow) | 0;
      if (size === 8) {
        const out = borrow !== 0 ? aLo >>> 0 <= bLo >>> 0 : aLo >>> 0 < bLo >>> 0;
        rHi = (aHi - bHi - (out ? 1 : 0)) | 0;
      }
      core.recordFlags(FlagKind.Sbb, size, aLo, aHi, bLo, bHi, rLo, rHi);
      core.carryIn = borrow;
      break;
    }
    case AluOp.And:
      rLo = aLo & bLo;
      rHi = aHi & bHi;
      core.recordLogic(size, rLo, rHi);
      break;
    case AluOp.Or:
      rLo = aLo | bLo;
      rHi = aHi | bHi;
      core.recordLogic(size, rLo, rHi);
      break;
    default:
      rLo = aLo ^ bLo;
      rHi = aHi ^ bHi;
      core.recordLogic(size, rLo, rHi);
      break;
  }
  core.valHi = rHi;
  return rLo;
}

/** INC (delta 1) or DEC (delta -1): like ADD/SUB 1 but CF is preserved. */
export function incDec(core: CoreState, size: number, aLo: number, aHi: number, delta: number): number {
  const carry = core.getCF();
  const rLo = (aLo + delta) | 0;
  let rHi = 0;
  if (size === 8) {
    if (delta > 0) rHi = (aHi + (rLo === 0 ? 1 : 0)) | 0;
    else rHi = (aHi - (aLo === 0 ? 1 : 0)) | 0;
  }
  core.recordFlags(delta > 0 ? FlagKind.Inc : FlagKind.Dec, size, aLo, aHi, 1, 0, rLo, rHi);
  core.carryIn = carry;
  core.valHi = rHi;
  return rLo;
}

/** NEG: 0 - a. */
export function negate(core: CoreState, size: number, aLo: number, aHi: number): number {
  return aluBinary(core, AluOp.Sub, size, 0, 0, aLo, aHi);
}

// ---- 64-bit shift helpers (count 0..63), results in lo + `wideHigh` ----

let wideHigh = 0;

function shiftLeft64(lo: number, hi: number, count: number): number {
  if (count === 0) {
    wideHigh = hi;
    return lo;
  }
  if (count < 32) {
    wideHigh = (hi << count) | (lo >>> (32 - count));
    return lo << count;
  }
  wideHigh = lo << (count - 32);
  return 0;
}

function shiftRightLogical64(lo: number, hi: number, count: number): number {
  if (count === 0) {
    wideHigh = hi;
    return lo;
  }
  if (count < 32) {
    wideHigh = hi >>> count;
    return (lo >>> count) | (hi << (32 - count));
  }
  wideHigh = 0;
  return hi >>> (count - 32);
}

function shiftRightArithmetic64(lo: number, hi: number, count: number): number {
  if (count === 0) {
    wideHigh = hi;
    return lo;
  }
  if (count < 32) {
    wideHigh = hi >> count;
    return (lo >>> count) | (hi << (32 - count));
  }
  wideHigh = hi >> 31;
  return hi >> (count - 32);
}

/** Bit `index` (0..63) of a lo/hi value. */
function bitOf(lo: number, hi: number, index: number): number {
  return index < 32 ? (lo >>> index) & 1 : (hi >>> (index - 32)) & 1;
}

/** The shift/rotate group (C0/C1/D0-D3): `kind` is the ModRM reg field. */
export function shiftRotate(
  core: CoreState,
  kind: number,
  size: number,
  lo: number,
  hi: number,
  rawCount: number,
): number {
  const count = rawCount & (size === 8 ? 63 : 31);
  const bits = size * 8;
  const mask = sizeMask(size);
  let value = lo & mask;
  let valueHi = size === 8 ? hi : 0;
  if (count === 0) {
    core.valHi = valueHi;
    return value;
  }
  let resLo: number;
  let resHi: number;
  let cf: number;
  let of: number;
  switch (kind) {
    case ShiftKind.Shl:
    case ShiftKind.Sal:
      resLo = shiftLeft64(value, valueHi, count);
      resHi = wideHigh;
      cf = count <= bits ? bitOf(value, valueHi, bits - count) : 0;
      of = bitOf(resLo, resHi, bits - 1) ^ cf;
      return finishShift(core, size, resLo, resHi, cf, of);
    case ShiftKind.Shr:
      if (size < 8) value >>>= 0;
      resLo = shiftRightLogical64(value, valueHi, count);
      resHi = wideHigh;
      cf = count <= bits ? bitOf(value, valueHi, count - 1) : 0;
      of = bitOf(value, valueHi, bits - 1);
      return finishShift(core, size, resLo, resHi, cf, of);
    case ShiftKind.Sar:
      if (size < 8) {
        value = (value << (32 - bits)) >> (32 - bits);
        valueHi = value >> 31;
      }
      resLo = shiftRightArithmetic64(value, valueHi, count);
      resHi = wideHigh;
      cf = bitOf(value, valueHi, Math.min(count - 1, 63));
      return finishShift(core, size, resLo, resHi, cf, 0);
    case ShiftKind.Rol:
    case ShiftKind.Ror: {
      const amount = count % bits;
      if (kind === ShiftKind.Rol) {
        resLo = rotateLeft(value, valueHi, amount, bits);
        resHi = wideHigh;
        cf = resLo & 1;
        of = bitOf(resLo, resHi, bits - 1) ^ cf;
      } else {
        resLo = rotateLeft(value, valueHi, (bits - amount) % bits, bits);
        resHi = wideHigh;
        cf = bitOf(resLo, resHi, bits - 1);
        of = cf ^ bitOf(resLo, resHi, bits - 2);
      }
      return finishRotate(core, size, resLo, resHi, cf, of);
    }
    default: {
      // RCL/RCR rotate through CF: a (bits+1)-bit rotation.
      const amount = count % (bits + 1);
      let carry = core.getCF();
      let l = value;
      let h = valueHi;
      for (let i = 0; i < amount; i++) {
        if (kind === 2) {
          const out = bitOf(l, h, bits - 1);
          const newLo = shiftLeft64(l, h, 1) | carry;
          h = wideHigh;
          l = newLo;
          carry = out;
        } else {
          const out = l & 1;
          l = shiftRightLogical64(l, h, 1);
          h = wideHigh;
          if (carry !== 0) {
            if (bits === 64) h |= 0x80000000;
            else l |= 1 << (bits - 1);
          }
          carry = out;
        }
      }
      l &= mask;
      const msb = bitOf(l, h, bits - 1);
      of = kind === 2 ? msb ^ carry : msb ^ bitOf(l, h, bits - 2);
      return finishRotate(core, size, l, size === 8 ? h : 0, carry, of);
    }
  }
}

/** Rotates a `bits`-wide value left by `amount` (0 <= amount < bits). */
function rotateLeft(lo: number, hi: number, amount: number, bits: number): number {
  if (amount === 0) {
    wideHigh = hi;
    return lo;
  }
  if (bits === 64) {
    const leftLo = shiftLeft64(lo, hi, amount);
    const leftHi = wideHigh;
    const rightLo = shiftRightLogical64(lo, hi, 64 - amount);
    wideHigh = leftHi | wideHigh;
    return leftLo | rightLo;
  }
  wideHigh = 0;
  const unsigned = bits === 32 ? lo >>> 0 : lo;
  return ((unsigned << amount) | (unsigned >>> (bits - amount))) & sizeMask(bits / 8);
}

function finishShift(core: CoreState, size: number, lo: number, hi: number, cf: number, of: number): number {
  const mask = sizeMask(size);
  const resLo = lo & mask;
  const resHi = size === 8 ? hi : 0;
  core.recordShift(size, resLo, resHi, cf, of);
  core.valHi = resHi;
  return resLo;
}

function finishRotate(core: CoreState, size: number, lo: number, hi: number, cf: number, of: number): number {
  core.recordRotate(cf, of);
  core.valHi = size === 8 ? hi : 0;
  return lo & sizeMask(size);
}

/**
 * SHLD/SHRD: shifts `dest` by `rawCount`, filling from `source`. Counts above the operand
 * width (16-bit forms only) leave an undefined result; this core fills from the source again.
 */
export function doubleShift(
  core: CoreState,
  left: boolean,
  size: number,
  destLo: number,
  destHi: number,
  srcLo: number,
  srcHi: number,
  rawCount: number,
): number {
  const count = rawCount & (size === 8 ? 63 : 31);
  const bits = size * 8;
  if (count === 0) {
    core.valHi = size === 8 ? destHi : 0;
    return destLo & sizeMask(size);
  }
  let resLo: number;
  let resHi = 0;
  let cf: number;
  if (size === 8) {
    if (left) {
      const shiftedLo = shiftLeft64(destLo, destHi, count);
      const shiftedHi = wideHigh;
      const fillLo = shiftRightLogical64(srcLo, srcHi, 64 - count);
      resLo = shiftedLo | fillLo;
      resHi = shiftedHi | wideHigh;
      cf = bitOf(destLo, destHi, 64 - count);
    } else {
      const shiftedLo = shiftRightLogical64(destLo, destHi, count);
      const shiftedHi = wideHigh;
      const fillLo = shiftLeft64(srcLo, srcHi, 64 - count);
      resLo = shiftedLo | fillLo;
      resHi = shiftedHi | wideHigh;
      cf = bitOf(destLo, destHi, count - 1);
    }
  } else if (size === 4) {
    if (left) {
      resLo = (destLo << count) | (srcLo >>> (32 - count));
      cf = (destLo >>> (32 - count)) & 1;
    } else {
      resLo = (destLo >>> count) | (srcLo << (32 - count));
      cf = (destLo >>> (count - 1)) & 1;
    }
  } else {
    // 16-bit: dest:src (left) or src:dest (right) as one 32-bit value.
    if (left) {
      const wide = ((destLo & 0xffff) << 16) | (srcLo & 0xffff);
      resLo = ((wide << count) >>> 16) & 0xffff;
      cf = (wide >>> (32 - count)) & 1;
    } else {
      const wide = ((srcLo & 0xffff) << 16) | (destLo & 0xffff);
      resLo = (wide >>> count) & 0xffff;
      cf = (wide >>> (count - 1)) & 1;
    }
  }
  const of = bitOf(resLo, resHi, bits - 1) ^ bitOf(destLo, destHi, bits - 1);
  core.recordShift(size, resLo, resHi, cf, of);
  core.valHi = resHi;
  return resLo;
}
