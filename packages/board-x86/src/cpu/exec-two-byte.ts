/**
 * The two-byte opcode map (0F xx) for general-purpose and system instructions: SYSCALL,
 * CPUID, RDTSC, CMOVcc/SETcc/Jcc rel32, bit operations, double shifts, CMPXCHG/XADD, MOVZX/
 * MOVSX, BSWAP, FXSAVE/FXRSTOR/LDMXCSR/STMXCSR and the hint NOPs. SSE opcodes are forwarded
 * to exec-sse.ts. CPUID describes exactly the x86-64 baseline this core implements.
 */

import { UserExit, ExceptionVector } from "../machine.ts";
import { aluBinary, AluOp, doubleShift } from "./alu.ts";
import { TWO_POW_32, type CoreState } from "./core-state.ts";
import { executeImul } from "./exec-groups.ts";
import { executeSse } from "./exec-sse.ts";
import { Flag } from "./lazy-flags.ts";

/** CPUID leaf 1 EDX: FPU, TSC, CX8, CMOV, MMX, FXSR, SSE, SSE2. */
export const CPUID_1_EDX = (1 << 0) | (1 << 4) | (1 << 8) | (1 << 15) | (1 << 23) | (1 << 24) | (1 << 25) | (1 << 26);
/** CPUID 0x80000001 EDX: SYSCALL, NX, LM. */
export const CPUID_80000001_EDX = (1 << 11) | (1 << 20) | (1 << 29);

/** "AsterismVCPU" as the EBX, EDX, ECX words of leaf 0. */
const VENDOR = [0x65747341, 0x6d736972, 0x55504356] as const;

const fxsaveImage = new Uint8Array(512);

function cpuid(c: CoreState): void {
  const leaf = (c.gprLo[0] ?? 0) >>> 0;
  let eax = 0;
  let ebx = 0;
  let ecx = 0;
  let edx = 0;
  if (leaf === 0) {
    eax = 1;
    ebx = VENDOR[0];
    edx = VENDOR[1];
    ecx = VENDOR[2];
  } else if (leaf === 1) {
    eax = 0x000006f1;
    ebx = (1 << 16) | (8 << 8);
    edx = CPUID_1_EDX;
  } else if (leaf === 0x80000000) {
    eax = 0x80000001;
  } else if (leaf === 0x80000001) {
    edx = CPUID_80000001_EDX;
  }
  c.setReg(4, 0, eax, 0);
  c.setReg(4, 3, ebx, 0);
  c.setReg(4, 1, ecx, 0);
  c.setReg(4, 2, edx, 0);
}

/** Group 15 (0F AE): FXSAVE, FXRSTOR, LDMXCSR, STMXCSR and the fences. */
function executeGroup15(c: CoreState): void {
  c.decodeModrm();
  const kind = c.modrmReg & 7;
  if (c.modrmMod === 3) {
    if (kind >= 5) return;
    c.undefinedOpcode();
  }
  switch (kind) {
    case 0:
      if (c.eaMisaligned(16)) c.raise(ExceptionVector.GeneralProtection);
      c.ctx.saveFpu(fxsaveImage);
      c.writeBytes(c.ea, fxsaveImage, 0, 512);
      return;
    case 1:
      if (c.eaMisaligned(16)) c.raise(ExceptionVector.GeneralProtection);
      c.readBytes(c.ea, fxsaveImage, 0, 512);
      if ((((fxsaveImage[24] ?? 0) | ((fxsaveImage[25] ?? 0) << 8) | ((fxsaveImage[26] ?? 0) << 16) | ((fxsaveImage[27] ?? 0) << 24)) & ~0xffff) !== 0) {
        c.raise(ExceptionVector.GeneralProtection);
      }
      c.ctx.restoreFpu(fxsaveImage);
      return;
    case 2: {
      const value = c.readMemory(4, c.ea);
      if ((value & ~0xffff) !== 0) c.raise(ExceptionVector.GeneralProtection);
      c.ctx.mxcsr = value;
      return;
    }
    case 3:
      c.writeMemory(4, c.ea, c.ctx.mxcsr, 0);
      return;
    case 7:
      return;
    default:
      c.undefinedOpcode();
  }
}

/** BTS (5), BTR (6) or BTC (7) on one word. */
function applyBitOperation(kind: number, word: number, mask: number): number {
  return kind === 5 ? word | mask : kind === 6 ? word & ~mask : word ^ mask;
}

/** BT/BTS/BTR/BTC (`kind` 4..7 as in group 8). */
function bitTest(c: CoreState, kind: number, offsetFromRegister: boolean): void {
  const size = c.operandSize;
  const bits = size * 8;
  let offset: number;
  if (offsetFromRegister) {
    offset = size === 8 ? (c.gprHi[c.modrmReg] ?? 0) * TWO_POW_32 + ((c.gprLo[c.modrmReg] ?? 0) >>> 0) : c.getReg(size, c.modrmReg);
    if (size === 2) offset = (offset << 16) >> 16;
    if (size === 8 && offset >= 2 ** 63) offset -= 2 ** 64;
  } else {
    offset = c.fetchImm8();
  }
  if (c.modrmMod !== 3 && offsetFromRegister) {
    c.ea += Math.floor(offset / bits) * size;
  }
  const bit = (offsetFromRegister ? (c.gprLo[c.modrmReg] ?? 0) : offset) & (bits - 1);
  const value = kind === 4 ? c.readRm(size) : c.readRmForUpdate(size);
  let hi = c.valHi;
  let lo = value;
  const inLow = bit < 32;
  const mask = 1 << (bit & 31);
  const old = ((inLow ? lo : hi) & mask) !== 0 ? 1 : 0;
  c.setEagerFlags((c.arithmeticFlags() & ~Flag.CF) | old);
  if (kind === 4) return;
  if (inLow) lo = applyBitOperation(kind, lo, mask);
  else hi = applyBitOperation(kind, hi, mask);
  c.writeRm(size, lo, hi);
}

/** BSF/BSR (also TZCNT/LZCNT encodings, which run as BSF/BSR without BMI1/ABM). */
function bitScan(c: CoreState, reverse: boolean): void {
  const size = c.operandSize;
  c.decodeModrm();
  const lo = c.readRm(size) & (size === 2 ? 0xffff : -1);
  const hi = size === 8 ? c.valHi : 0;
  if ((lo | hi) === 0) {
    c.setEagerFlags((c.arithmeticFlags() & ~Flag.ZF) | Flag.ZF);
    return;
  }
  let index: number;
  if (reverse) index = hi !== 0 ? 63 - Math.clz32(hi) : 31 - Math.clz32(lo);
  else index = lo !== 0 ? 31 - Math.clz32(lo & -lo) : 63 - Math.clz32(hi & -hi);
  c.setEagerFlags(c.arithmeticFlags() & ~Flag.ZF);
  c.setReg(size, c.modrmReg, index, 0);
}

function cmpxchg(c: CoreState, size: number): void {
  c.decodeModrm();
  const current = c.readRmForUpdate(size);
  const currentHi = c.valHi;
  const accumulator = c.getReg(size, 0);
  const accumulatorHi = c.valHi;
  aluBinary(c, AluOp.Cmp, size, accumulator, accumulatorHi, current, currentHi);
  if (c.getZF() !== 0) {
    const source = c.getReg(size, c.modrmReg);
    c.writeRm(size, source, c.valHi);
  } else {
    // A register destination is left alone (not even zero-extended); memory is written back.
    if (c.modrmMod !== 3) c.writeRm(size, current, currentHi);
    c.setReg(size, 0, current, currentHi);
  }
}

/** CMPXCHG8B (CMPXCHG16B is not advertised, so REX.W raises #UD). */
function cmpxchg8b(c: CoreState): void {
  c.decodeModrm();
  if (c.modrmMod === 3 || (c.modrmReg & 7) !== 1 || c.operandSize === 8) c.undefinedOpcode();
  const lo = c.readMemory(8, c.ea, 1);
  const hi = c.valHi;
  if (lo === (c.gprLo[0] ?? 0) && hi === (c.gprLo[2] ?? 0)) {
    c.writeMemory(8, c.ea, c.gprLo[3] ?? 0, c.gprLo[1] ?? 0);
    c.setEagerFlags(c.arithmeticFlags() | Flag.ZF);
  } else {
    c.writeMemory(8, c.ea, lo, hi);
    c.setReg(4, 0, lo, 0);
    c.setReg(4, 2, hi, 0);
    c.setEagerFlags(c.arithmeticFlags() & ~Flag.ZF);
  }
}

function byteSwap32(value: number): number {
  return ((value >>> 24) | ((value >> 8) & 0xff00) | ((value << 8) & 0xff0000) | (value << 24)) | 0;
}

export function executeTwoByte(c: CoreState, opcode: number): void {
  if (opcode >= 0x40 && opcode <= 0x4f) {
    const size = c.operandSize;
    c.decodeModrm();
    const value = c.readRm(size);
    if (c.condition(opcode & 15)) c.setReg(size, c.modrmReg, value, c.valHi);
    else if (size === 4) c.gprHi[c.modrmReg] = 0;
    return;
  }
  if (opcode >= 0x80 && opcode <= 0x8f) {
    const displacement = c.fetchImm32();
    if (c.condition(opcode & 15)) c.jump(c.currentRip() + displacement);
    return;
  }
  if (opcode >= 0x90 && opcode <= 0x9f) {
    c.decodeModrm();
    c.writeRm(1, c.condition(opcode & 15) ? 1 : 0, 0);
    return;
  }
  if (opcode >= 0xc8 && opcode <= 0xcf) {
    const r = (opcode & 7) | ((c.rex & 1) << 3);
    if (c.operandSize === 8) {
      const lo = c.gprLo[r] ?? 0;
      c.setReg(8, r, byteSwap32(c.gprHi[r] ?? 0), byteSwap32(lo));
    } else {
      c.setReg(4, r, byteSwap32(c.gprLo[r] ?? 0), 0);
    }
    return;
  }
  switch (opcode) {
    case 0x05:
      c.setReg64Number(1, c.currentRip());
      c.setReg(8, 11, c.readFlags(), 0);
      c.exitRequest = UserExit.Syscall;
      return;
    case 0x0d:
    case 0x18: case 0x19: case 0x1a: case 0x1b: case 0x1c: case 0x1d: case 0x1e: case 0x1f:
      c.decodeModrm();
      return;
    case 0x31: {
      const tsc = c.readTsc();
      c.setReg(4, 0, tsc % TWO_POW_32 | 0, 0);
      c.setReg(4, 2, Math.floor(tsc / TWO_POW_32) | 0, 0);
      return;
    }
    case 0xa2:
      cpuid(c);
      return;
    case 0xa3:
      c.decodeModrm();
      bitTest(c, 4, true);
      return;
    case 0xab:
      c.decodeModrm();
      bitTest(c, 5, true);
      return;
    case 0xb3:
      c.decodeModrm();
      bitTest(c, 6, true);
      return;
    case 0xbb:
      c.decodeModrm();
      bitTest(c, 7, true);
      return;
    case 0xba:
      c.decodeModrm();
      if ((c.modrmReg & 7) < 4) c.undefinedOpcode();
      bitTest(c, c.modrmReg & 7, false);
      return;
    case 0xa4:
    case 0xa5:
    case 0xac:
    case 0xad: {
      const size = c.operandSize;
      c.decodeModrm();
      const count = (opcode & 1) === 0 ? c.fetchImm8() : (c.gprLo[1] ?? 0) & 0xff;
      const dest = c.readRmForUpdate(size);
      const destHi = c.valHi;
      const source = c.getReg(size, c.modrmReg);
      const result = doubleShift(c, opcode < 0xa8, size, dest, destHi, source, c.valHi, count);
      c.writeRm(size, result, c.valHi);
      return;
    }
    case 0xae:
      executeGroup15(c);
      return;
    case 0xaf:
      executeImul(c, 0xaf);
      return;
    case 0xb0:
      cmpxchg(c, 1);
      return;
    case 0xb1:
      cmpxchg(c, c.operandSize);
      return;
    case 0xb6:
    case 0xb7:
    case 0xbe:
    case 0xbf: {
      const sourceSize = (opcode & 1) === 0 ? 1 : 2;
      c.decodeModrm();
      let value = c.readRm(sourceSize);
      if (opcode >= 0xbe) value = sourceSize === 1 ? (value << 24) >> 24 : (value << 16) >> 16;
      else value &= sourceSize === 1 ? 0xff : 0xffff;
      c.setReg(c.operandSize, c.modrmReg, value, value >> 31);
      return;
    }
    case 0xbc:
      bitScan(c, false);
      return;
    case 0xbd:
      bitScan(c, true);
      return;
    case 0xc0:
    case 0xc1: {
      const size = opcode === 0xc0 ? 1 : c.operandSize;
      c.decodeModrm();
      const dest = c.readRmForUpdate(size);
      const destHi = c.valHi;
      const source = c.getReg(size, c.modrmReg);
      const sum = aluBinary(c, AluOp.Add, size, dest, destHi, source, c.valHi);
      const sumHi = c.valHi;
      c.setReg(size, c.modrmReg, dest, destHi);
      c.writeRm(size, sum, sumHi);
      return;
    }
    case 0xc7:
      cmpxchg8b(c);
      return;
    case 0x06: case 0x08: case 0x09: case 0x20: case 0x21: case 0x22: case 0x23:
    case 0x30: case 0x32: case 0x33:
      c.raise(ExceptionVector.GeneralProtection);
      return;
    default:
      executeSse(c, opcode);
  }
}
