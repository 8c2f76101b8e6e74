/**
 * SSE/SSE2 data movement and the operand plumbing every SSE handler shares: loading a
 * memory source into the scratch slot, storing a slot to r/m, and the moves, shuffles,
 * unpacks and bitwise operations that need no floating-point rounding.
 */

import { ExceptionVector } from "../machine.ts";
import { XMM_RESULT_SLOT, XMM_SOURCE_SLOT } from "./context.ts";
import type { CoreState } from "./core-state.ts";

/** Loads the r/m source operand (`bytes` = 4, 8 or 16) and returns its XMM slot. */
export function sourceSlot(c: CoreState, bytes: number, aligned: boolean): number {
  if (c.modrmMod === 3) return c.modrmRm;
  const ctx = c.ctx;
  const base = XMM_SOURCE_SLOT * 4;
  if (bytes === 16) {
    if (aligned && c.eaMisaligned(16)) c.raise(ExceptionVector.GeneralProtection);
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
export function storeToRm(c: CoreState, slot: number, bytes: number, aligned: boolean): void {
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
    if (aligned && c.eaMisaligned(16)) c.raise(ExceptionVector.GeneralProtection);
    c.write128(c.ea, slot);
  } else {
    c.writeMemory(bytes, c.ea, ctx.xmmInt32[slot * 4] ?? 0, ctx.xmmInt32[slot * 4 + 1] ?? 0);
  }
}

function zeroUpper(c: CoreState, slot: number, fromDword: number): void {
  c.ctx.xmmInt32.fill(0, slot * 4 + fromDword, slot * 4 + 4);
}

/** SHUFPS/SHUFPD (0F C6). */
export function shuffle(c: CoreState): void {
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
export function unpackFloat(c: CoreState, high: boolean): void {
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
export function bitwise(c: CoreState, opcode: number): void {
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
export function moveFloat(c: CoreState, opcode: number): void {
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
export function moveHalf(c: CoreState, opcode: number): void {
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

export function moveMask(c: CoreState): void {
  c.decodeModrm();
  if (c.modrmMod !== 3) c.undefinedOpcode();
  const i32 = c.ctx.xmmInt32;
  const src = c.modrmRm * 4;
  let mask = 0;
  if (c.prefix66) mask = ((i32[src + 1] ?? 0) >>> 31) | (((i32[src + 3] ?? 0) >>> 31) << 1);
  else for (let i = 0; i < 4; i++) mask |= ((i32[src + i] ?? 0) >>> 31) << i;
  c.setReg(4, c.modrmReg, mask, 0);
}
