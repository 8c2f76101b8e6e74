/**
 * SSE2 packed-integer instructions on XMM registers (66 0F 60-7F, C4, C5, D1-FE) and the
 * integer moves MOVD/MOVQ/MOVDQA/MOVDQU. The unprefixed MMX forms of these opcodes are not
 * implemented and raise #UD (nothing in the baseline libc paths uses MMX registers).
 */

import { ExceptionVector } from "../machine.ts";
import { XMM_RESULT_SLOT } from "./context.ts";
import type { CoreState } from "./core-state.ts";
import { copySlot, sourceSlot } from "./sse-moves.ts";
import { multiplyUnsigned32, wideResult } from "./wide-math.ts";

function saturateSigned(value: number, bits: number): number {
  const max = 2 ** (bits - 1) - 1;
  return value > max ? max : value < -max - 1 ? -max - 1 : value;
}

function saturateUnsigned(value: number, bits: number): number {
  const max = 2 ** bits - 1;
  return value > max ? max : value < 0 ? 0 : value;
}

/** Lane-wise add/sub/compare/min/max/avg/multiply for byte and word lanes. */
function laneOperation(opcode: number, a: number, b: number): number {
  switch (opcode) {
    case 0x64: case 0x65: case 0x66:
      return a > b ? -1 : 0;
    case 0x74: case 0x75: case 0x76:
      return a === b ? -1 : 0;
    case 0xd8: return saturateUnsigned(a - b, 8);
    case 0xd9: return saturateUnsigned(a - b, 16);
    case 0xda: case 0xea: return a < b ? a : b;
    case 0xdc: return saturateUnsigned(a + b, 8);
    case 0xdd: return saturateUnsigned(a + b, 16);
    case 0xde: case 0xee: return a > b ? a : b;
    case 0xe0: case 0xe3: return (a + b + 1) >> 1;
    case 0xe4: return (a * b) >>> 16;
    case 0xe5: return (a * b) >> 16;
    case 0xd5: return Math.imul(a, b);
    case 0xe8: return saturateSigned(a - b, 8);
    case 0xe9: return saturateSigned(a - b, 16);
    case 0xec: return saturateSigned(a + b, 8);
    case 0xed: return saturateSigned(a + b, 16);
    case 0xf8: case 0xf9: case 0xfa: return (a - b) | 0;
    default: return (a + b) | 0;
  }
}

/** Which lane view an opcode uses: 1 = u8, -1 = i8, 2 = u16, -2 = i16, 4 = i32. */
function laneKind(opcode: number): number {
  switch (opcode) {
    case 0x64: case 0x74: case 0xe8: case 0xec: case 0xf8: case 0xfc: return -1;
    case 0xd8: case 0xda: case 0xdc: case 0xde: case 0xe0: return 1;
    case 0x65: case 0x75: case 0xd5: case 0xe5: case 0xe9: case 0xea: case 0xed: case 0xee: case 0xf9: case 0xfd: return -2;
    case 0xd9: case 0xdd: case 0xe3: case 0xe4: return 2;
    default: return 4;
  }
}

function packedLanes(c: CoreState, opcode: number): void {
  c.decodeModrm();
  const ctx = c.ctx;
  const dest = c.modrmReg;
  const src = sourceSlot(c, 16, true);
  const kind = laneKind(opcode);
  if (kind === 1 || kind === -1) {
    const view = kind === 1 ? ctx.xmmBytes : ctx.xmmInt8;
    for (let i = 0; i < 16; i++) {
      ctx.xmmBytes[dest * 16 + i] = laneOperation(opcode, view[dest * 16 + i] ?? 0, view[src * 16 + i] ?? 0);
    }
  } else if (kind === 2 || kind === -2) {
    const view = kind === 2 ? ctx.xmmUint16 : ctx.xmmInt16;
    for (let i = 0; i < 8; i++) {
      ctx.xmmUint16[dest * 8 + i] = laneOperation(opcode, view[dest * 8 + i] ?? 0, view[src * 8 + i] ?? 0);
    }
  } else {
    const view = ctx.xmmInt32;
    for (let i = 0; i < 4; i++) {
      view[dest * 4 + i] = laneOperation(opcode, view[dest * 4 + i] ?? 0, view[src * 4 + i] ?? 0);
    }
  }
}

/** PADDQ/PSUBQ/PMULUDQ/PAND/PANDN/POR/PXOR, PSADBW, PMADDWD. */
function packedWide(c: CoreState, opcode: number): void {
  c.decodeModrm();
  const ctx = c.ctx;
  const d = c.modrmReg * 4;
  const s = sourceSlot(c, 16, true) * 4;
  const i32 = ctx.xmmInt32;
  switch (opcode) {
    case 0xd4:
    case 0xfb:
      for (let q = 0; q < 4; q += 2) {
        const aLo = i32[d + q] ?? 0;
        const bLo = i32[s + q] ?? 0;
        const add = opcode === 0xd4;
        const lo = add ? (aLo + bLo) | 0 : (aLo - bLo) | 0;
        const carry = add ? (lo >>> 0 < aLo >>> 0 ? 1 : 0) : aLo >>> 0 < bLo >>> 0 ? -1 : 0;
        i32[d + q + 1] = add
          ? ((i32[d + q + 1] ?? 0) + (i32[s + q + 1] ?? 0) + carry) | 0
          : ((i32[d + q + 1] ?? 0) - (i32[s + q + 1] ?? 0) + carry) | 0;
        i32[d + q] = lo;
      }
      return;
    case 0xf4:
      for (let q = 0; q < 4; q += 2) {
        multiplyUnsigned32(i32[d + q] ?? 0, i32[s + q] ?? 0);
        i32[d + q] = wideResult[0] ?? 0;
        i32[d + q + 1] = wideResult[1] ?? 0;
      }
      return;
    case 0xdb: case 0xdf: case 0xeb: case 0xef:
      for (let i = 0; i < 4; i++) {
        const a = i32[d + i] ?? 0;
        const b = i32[s + i] ?? 0;
        i32[d + i] = opcode === 0xdb ? a & b : opcode === 0xdf ? ~a & b : opcode === 0xeb ? a | b : a ^ b;
      }
      return;
    case 0xf6: {
      const bytes = ctx.xmmBytes;
      for (let q = 0; q < 2; q++) {
        let sum = 0;
        for (let i = 0; i < 8; i++) sum += Math.abs((bytes[d * 4 + q * 8 + i] ?? 0) - (bytes[s * 4 + q * 8 + i] ?? 0));
        i32[d + q * 2] = sum;
        i32[d + q * 2 + 1] = 0;
      }
      return;
    }
    default: {
      const i16 = ctx.xmmInt16;
      for (let i = 0; i < 4; i++) {
        const a0 = i16[d * 2 + i * 2] ?? 0;
        const a1 = i16[d * 2 + i * 2 + 1] ?? 0;
        const b0 = i16[s * 2 + i * 2] ?? 0;
        const b1 = i16[s * 2 + i * 2 + 1] ?? 0;
        i32[d + i] = (a0 * b0 + a1 * b1) | 0;
      }
    }
  }
}

/** PUNPCKL/H (BW, WD, DQ, QDQ) and PACKSSWB/PACKUSWB/PACKSSDW. */
function unpackOrPack(c: CoreState, opcode: number): void {
  c.decodeModrm();
  const ctx = c.ctx;
  const dest = c.modrmReg;
  const src = sourceSlot(c, 16, true);
  const out = XMM_RESULT_SLOT;
  if (opcode === 0x63 || opcode === 0x67 || opcode === 0x6b) {
    const i16 = ctx.xmmInt16;
    const i32 = ctx.xmmInt32;
    if (opcode === 0x6b) {
      for (let i = 0; i < 4; i++) {
        i16[out * 8 + i] = saturateSigned(i32[dest * 4 + i] ?? 0, 16);
        i16[out * 8 + 4 + i] = saturateSigned(i32[src * 4 + i] ?? 0, 16);
      }
    } else {
      const saturate = opcode === 0x63 ? saturateSigned : saturateUnsigned;
      for (let i = 0; i < 8; i++) {
        ctx.xmmBytes[out * 16 + i] = saturate(i16[dest * 8 + i] ?? 0, 8);
        ctx.xmmBytes[out * 16 + 8 + i] = saturate(i16[src * 8 + i] ?? 0, 8);
      }
    }
    copySlot(c, out, dest);
    return;
  }
  const high = opcode >= 0x68 && opcode !== 0x6c;
  const width = opcode === 0x60 || opcode === 0x68 ? 1 : opcode === 0x61 || opcode === 0x69 ? 2 : opcode === 0x6c || opcode === 0x6d ? 8 : 4;
  const bytes = ctx.xmmBytes;
  const start = high ? 8 : 0;
  for (let i = 0; i < 8 / width; i++) {
    for (let k = 0; k < width; k++) {
      bytes[out * 16 + i * 2 * width + k] = bytes[dest * 16 + start + i * width + k] ?? 0;
      bytes[out * 16 + i * 2 * width + width + k] = bytes[src * 16 + start + i * width + k] ?? 0;
    }
  }
  copySlot(c, out, dest);
}

/** Shifts each lane of `slot` (width 2, 4 or 8 bytes) by `count`; kind 2 = logical right, 4 = arithmetic right, 6 = left. */
function shiftLanes(c: CoreState, slot: number, width: number, kind: number, count: number): void {
  const ctx = c.ctx;
  const bits = width * 8;
  if (width === 8) {
    const i32 = ctx.xmmInt32;
    for (let q = 0; q < 2; q++) {
      const index = slot * 4 + q * 2;
      const lo = i32[index] ?? 0;
      const hi = i32[index + 1] ?? 0;
      if (count >= 64) {
        i32[index] = 0;
        i32[index + 1] = 0;
      } else if (kind === 6) {
        i32[index] = count >= 32 ? 0 : lo << count;
        i32[index + 1] = count >= 32 ? lo << (count - 32) : count === 0 ? hi : (hi << count) | (lo >>> (32 - count));
      } else {
        i32[index] = count >= 32 ? hi >>> (count - 32) : count === 0 ? lo : (lo >>> count) | (hi << (32 - count));
        i32[index + 1] = count >= 32 ? 0 : hi >>> count;
      }
    }
    return;
  }
  const lanes = 16 / width;
  const view = width === 2 ? ctx.xmmInt16 : ctx.xmmInt32;
  for (let i = 0; i < lanes; i++) {
    const value = view[slot * lanes + i] ?? 0;
    if (kind === 4) view[slot * lanes + i] = value >> Math.min(count, bits - 1);
    else if (count >= bits) view[slot * lanes + i] = 0;
    else if (kind === 6) view[slot * lanes + i] = value << count;
    else view[slot * lanes + i] = (width === 2 ? value & 0xffff : value) >>> count;
  }
}

/** PSRLDQ/PSLLDQ: whole-register byte shifts. */
function shiftBytes(c: CoreState, slot: number, left: boolean, count: number): void {
  const bytes = c.ctx.xmmBytes;
  const base = slot * 16;
  const out = XMM_RESULT_SLOT * 16;
  for (let i = 0; i < 16; i++) {
    const from = left ? i - count : i + count;
    bytes[out + i] = from >= 0 && from < 16 ? (bytes[base + from] ?? 0) : 0;
  }
  copySlot(c, XMM_RESULT_SLOT, slot);
}

function shiftImmediate(c: CoreState, opcode: number): void {
  c.decodeModrm();
  if (c.modrmMod !== 3) c.undefinedOpcode();
  const kind = c.modrmReg & 7;
  const count = c.fetchImm8();
  const slot = c.modrmRm;
  if (opcode === 0x73 && (kind === 3 || kind === 7)) {
    shiftBytes(c, slot, kind === 7, count);
    return;
  }
  const width = opcode === 0x71 ? 2 : opcode === 0x72 ? 4 : 8;
  if (kind !== 2 && kind !== 6 && !(kind === 4 && width !== 8)) c.undefinedOpcode();
  shiftLanes(c, slot, width, kind, count);
}

function shiftByRegister(c: CoreState, opcode: number): void {
  c.decodeModrm();
  const src = sourceSlot(c, 16, true);
  const i32 = c.ctx.xmmInt32;
  const countHi = i32[src * 4 + 1] ?? 0;
  const countLo = (i32[src * 4] ?? 0) >>> 0;
  const count = countHi !== 0 || countLo > 64 ? 64 : countLo;
  const width = 1 << (opcode & 0xf);
  const kind = opcode < 0xe0 ? 2 : opcode < 0xf0 ? 4 : 6;
  shiftLanes(c, c.modrmReg, width, kind, count);
}

function shuffleWords(c: CoreState): void {
  c.decodeModrm();
  const ctx = c.ctx;
  const dest = c.modrmReg;
  const imm = c.fetchImm8();
  const src = sourceSlot(c, 16, true);
  const out = XMM_RESULT_SLOT;
  copySlot(c, src, out);
  if (c.repPrefix === 0) {
    const i32 = ctx.xmmInt32;
    for (let i = 0; i < 4; i++) i32[out * 4 + i] = i32[src * 4 + ((imm >> (2 * i)) & 3)] ?? 0;
  } else {
    const u16 = ctx.xmmUint16;
    const base = c.repPrefix === 0xf3 ? 4 : 0;
    for (let i = 0; i < 4; i++) u16[out * 8 + base + i] = u16[src * 8 + base + ((imm >> (2 * i)) & 3)] ?? 0;
  }
  copySlot(c, out, dest);
}

function integerMove(c: CoreState, opcode: number): void {
  c.decodeModrm();
  const ctx = c.ctx;
  const i32 = ctx.xmmInt32;
  const reg = c.modrmReg;
  switch (opcode) {
    case 0x6e: {
      const size = c.operandSize === 8 ? 8 : 4;
      const low = c.readRm(size);
      i32[reg * 4] = low;
      i32[reg * 4 + 1] = size === 8 ? c.valHi : 0;
      i32[reg * 4 + 2] = 0;
      i32[reg * 4 + 3] = 0;
      return;
    }
    case 0x7e:
      if (c.repPrefix === 0xf3) {
        const src = sourceSlot(c, 8, false);
        i32[reg * 4] = i32[src * 4] ?? 0;
        i32[reg * 4 + 1] = i32[src * 4 + 1] ?? 0;
        i32[reg * 4 + 2] = 0;
        i32[reg * 4 + 3] = 0;
      } else {
        const size = c.operandSize === 8 ? 8 : 4;
        c.writeRm(size, i32[reg * 4] ?? 0, i32[reg * 4 + 1] ?? 0);
      }
      return;
    case 0xd6:
      if (c.modrmMod === 3) {
        const to = c.modrmRm * 4;
        i32[to] = i32[reg * 4] ?? 0;
        i32[to + 1] = i32[reg * 4 + 1] ?? 0;
        i32[to + 2] = 0;
        i32[to + 3] = 0;
      } else {
        c.writeMemory(8, c.ea, i32[reg * 4] ?? 0, i32[reg * 4 + 1] ?? 0);
      }
      return;
    case 0x6f:
      copySlot(c, sourceSlot(c, 16, c.repPrefix !== 0xf3), reg);
      return;
    default:
      if (c.modrmMod === 3) {
        copySlot(c, reg, c.modrmRm);
        return;
      }
      if (c.repPrefix !== 0xf3 && c.eaMisaligned(16)) c.raise(ExceptionVector.GeneralProtection);
      c.write128(c.ea, reg);
  }
}

function extractOrInsertWord(c: CoreState, opcode: number): void {
  c.decodeModrm();
  const u16 = c.ctx.xmmUint16;
  if (opcode === 0xc4) {
    const lane = c.fetchImm8() & 7;
    const value = c.modrmMod === 3 ? c.getReg(4, c.modrmRm) : c.readMemory(2, c.ea);
    u16[c.modrmReg * 8 + lane] = value;
  } else {
    if (c.modrmMod !== 3) c.undefinedOpcode();
    const lane = c.fetchImm8() & 7;
    c.setReg(4, c.modrmReg, u16[c.modrmRm * 8 + lane] ?? 0, 0);
  }
}

function moveByteMask(c: CoreState): void {
  c.decodeModrm();
  if (c.modrmMod !== 3) c.undefinedOpcode();
  const bytes = c.ctx.xmmBytes;
  let mask = 0;
  for (let i = 0; i < 16; i++) mask |= ((bytes[c.modrmRm * 16 + i] ?? 0) >> 7) << i;
  c.setReg(4, c.modrmReg, mask, 0);
}

export function executeSseInteger(c: CoreState, opcode: number): void {
  const xmmForm = c.prefix66 || ((opcode === 0x6f || opcode === 0x7f || opcode === 0x7e || opcode === 0x70) && c.repPrefix === 0xf3) || (opcode === 0x70 && c.repPrefix === 0xf2);
  if (!xmmForm || (c.repPrefix !== 0 && opcode !== 0x6f && opcode !== 0x7f && opcode !== 0x7e && opcode !== 0x70)) {
    c.undefinedOpcode();
  }
  switch (opcode) {
    case 0x60: case 0x61: case 0x62: case 0x63: case 0x67: case 0x68: case 0x69: case 0x6a: case 0x6b: case 0x6c: case 0x6d:
      unpackOrPack(c, opcode);
      return;
    case 0x64: case 0x65: case 0x66: case 0x74: case 0x75: case 0x76:
    case 0xd5: case 0xd8: case 0xd9: case 0xda: case 0xdc: case 0xdd: case 0xde:
    case 0xe0: case 0xe3: case 0xe4: case 0xe5: case 0xe8: case 0xe9: case 0xea: case 0xec: case 0xed: case 0xee:
    case 0xf8: case 0xf9: case 0xfa: case 0xfc: case 0xfd: case 0xfe:
      packedLanes(c, opcode);
      return;
    case 0xd4: case 0xfb: case 0xf4: case 0xdb: case 0xdf: case 0xeb: case 0xef: case 0xf6: case 0xf5:
      packedWide(c, opcode);
      return;
    case 0x6e: case 0x6f: case 0x7e: case 0x7f: case 0xd6:
      integerMove(c, opcode);
      return;
    case 0x70:
      shuffleWords(c);
      return;
    case 0x71: case 0x72: case 0x73:
      shiftImmediate(c, opcode);
      return;
    case 0xd1: case 0xd2: case 0xd3: case 0xe1: case 0xe2: case 0xf1: case 0xf2: case 0xf3:
      shiftByRegister(c, opcode);
      return;
    case 0xc4: case 0xc5:
      extractOrInsertWord(c, opcode);
      return;
    case 0xd7:
      moveByteMask(c);
      return;
    case 0xe7:
      c.decodeModrm();
      if (c.modrmMod === 3) c.undefinedOpcode();
      if (c.eaMisaligned(16)) c.raise(ExceptionVector.GeneralProtection);
      c.write128(c.ea, c.modrmReg);
      return;
    default:
      c.undefinedOpcode();
  }
}
