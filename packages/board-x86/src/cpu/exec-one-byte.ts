/**
 * The one-byte opcode map of 64-bit mode (Intel SDM vol. 2, table A-2): ALU, moves, stack,
 * control flow and the opcode groups. Opcodes that do not exist in 64-bit mode and
 * privileged ones raise #UD or #GP exactly as ring-3 code sees them on hardware.
 */

import { ExceptionVector } from "../machine.ts";
import { aluBinary, AluOp, shiftRotate } from "./alu.ts";
import { TWO_POW_32, unsignedOf, wrapUnsigned, type CoreState } from "./core-state.ts";
import { executeGroup3, executeGroup5, executeImul, executeIncDec } from "./exec-groups.ts";
import { executeString } from "./exec-string.ts";
import { executeX87 } from "./exec-x87.ts";
import { Flag } from "./lazy-flags.ts";

/** ALU forms 0x00-0x3f: op in bits 3-5, form in bits 0-2. */
function executeAlu(c: CoreState, opcode: number): void {
  const op = opcode >> 3;
  const size = (opcode & 1) === 0 ? 1 : c.operandSize;
  switch (opcode & 7) {
    case 0:
    case 1: {
      c.decodeModrm();
      const a = op === AluOp.Cmp ? c.readRm(size) : c.readRmForUpdate(size);
      const aHi = c.valHi;
      const b = c.getReg(size, c.modrmReg);
      const result = aluBinary(c, op, size, a, aHi, b, c.valHi);
      if (op !== AluOp.Cmp) c.writeRm(size, result, c.valHi);
      return;
    }
    case 2:
    case 3: {
      c.decodeModrm();
      const b = c.readRm(size);
      const bHi = c.valHi;
      const a = c.getReg(size, c.modrmReg);
      const result = aluBinary(c, op, size, a, c.valHi, b, bHi);
      if (op !== AluOp.Cmp) c.setReg(size, c.modrmReg, result, c.valHi);
      return;
    }
    default: {
      const b = c.fetchImmediate(size);
      const a = c.getReg(size, 0);
      const result = aluBinary(c, op, size, a, c.valHi, b, b >> 31);
      if (op !== AluOp.Cmp) c.setReg(size, 0, result, c.valHi);
    }
  }
}

/** Group 1 (0x80, 0x81, 0x83): ALU r/m, immediate. */
function executeGroup1(c: CoreState, opcode: number): void {
  const size = opcode === 0x80 ? 1 : c.operandSize;
  c.decodeModrm();
  const op = c.modrmReg & 7;
  // Immediates first: a RIP-relative operand's address is relative to the end of the instruction.
  const b = opcode === 0x81 ? c.fetchImmediate(size) : c.fetchS8();
  const a = op === AluOp.Cmp ? c.readRm(size) : c.readRmForUpdate(size);
  const aHi = c.valHi;
  const result = aluBinary(c, op, size, a, aHi, b, b >> 31);
  if (op !== AluOp.Cmp) c.writeRm(size, result, c.valHi);
}

function executeShiftGroup(c: CoreState, opcode: number): void {
  const size = (opcode & 1) === 0 ? 1 : c.operandSize;
  c.decodeModrm();
  let count: number;
  // Immediates first: a RIP-relative operand's address is relative to the end of the instruction.
  if (opcode <= 0xc1) count = c.fetchImm8();
  else if (opcode <= 0xd1) count = 1;
  else count = (c.gprLo[1] ?? 0) & 0xff;
  const value = c.readRmForUpdate(size);
  const valueHi = c.valHi;
  const result = shiftRotate(c, c.modrmReg & 7, size, value, valueHi, count);
  c.writeRm(size, result, c.valHi);
}

function relativeJump(c: CoreState, displacement: number): void {
  c.jump(c.currentRip() + displacement);
}

export function executeOneByte(c: CoreState, opcode: number): void {
  if (opcode < 0x40) {
    if ((opcode & 7) >= 6) c.undefinedOpcode();
    executeAlu(c, opcode);
    return;
  }
  switch (opcode) {
    case 0x50: case 0x51: case 0x52: case 0x53: case 0x54: case 0x55: case 0x56: case 0x57: {
      const r = (opcode & 7) | ((c.rex & 1) << 3);
      c.push64(c.gprLo[r] ?? 0, c.gprHi[r] ?? 0);
      return;
    }
    case 0x58: case 0x59: case 0x5a: case 0x5b: case 0x5c: case 0x5d: case 0x5e: case 0x5f: {
      const r = (opcode & 7) | ((c.rex & 1) << 3);
      const low = c.pop64();
      c.setReg(8, r, low, c.valHi);
      return;
    }
    case 0x63: {
      c.decodeModrm();
      const value = c.readRm(4);
      if (c.operandSize === 8) c.setReg(8, c.modrmReg, value, value >> 31);
      else c.setReg(c.operandSize, c.modrmReg, value, 0);
      return;
    }
    case 0x68: {
      const value = c.fetchImm32();
      c.push64(value, value >> 31);
      return;
    }
    case 0x6a: {
      const value = c.fetchS8();
      c.push64(value, value >> 31);
      return;
    }
    case 0x69:
    case 0x6b:
      executeImul(c, opcode);
      return;
    case 0x70: case 0x71: case 0x72: case 0x73: case 0x74: case 0x75: case 0x76: case 0x77:
    case 0x78: case 0x79: case 0x7a: case 0x7b: case 0x7c: case 0x7d: case 0x7e: case 0x7f: {
      const displacement = c.fetchS8();
      if (c.condition(opcode & 15)) relativeJump(c, displacement);
      return;
    }
    case 0x80:
    case 0x81:
    case 0x83:
      executeGroup1(c, opcode);
      return;
    case 0x84:
    case 0x85: {
      const size = opcode === 0x84 ? 1 : c.operandSize;
      c.decodeModrm();
      const a = c.readRm(size);
      const aHi = c.valHi;
      const b = c.getReg(size, c.modrmReg);
      aluBinary(c, AluOp.And, size, a, aHi, b, c.valHi);
      return;
    }
    case 0x86:
    case 0x87: {
      const size = opcode === 0x86 ? 1 : c.operandSize;
      c.decodeModrm();
      const a = c.readRmForUpdate(size);
      const aHi = c.valHi;
      const b = c.getReg(size, c.modrmReg);
      c.writeRm(size, b, c.valHi);
      c.setReg(size, c.modrmReg, a, aHi);
      return;
    }
    case 0x88:
    case 0x89: {
      const size = opcode === 0x88 ? 1 : c.operandSize;
      c.decodeModrm();
      const value = c.getReg(size, c.modrmReg);
      c.writeRm(size, value, c.valHi);
      return;
    }
    case 0x8a:
    case 0x8b: {
      const size = opcode === 0x8a ? 1 : c.operandSize;
      c.decodeModrm();
      const value = c.readRm(size);
      c.setReg(size, c.modrmReg, value, c.valHi);
      return;
    }
    case 0x8c: {
      // MOV r/m, Sreg: the Linux user selectors (CS 0x33, SS 0x2b, data segments null).
      c.decodeModrm();
      const sreg = c.modrmReg & 7;
      if (sreg > 5) c.undefinedOpcode();
      const selector = sreg === 1 ? 0x33 : sreg === 2 ? 0x2b : 0;
      c.writeRm(c.modrmMod === 3 ? c.operandSize : 2, selector, 0);
      return;
    }
    case 0x8d: {
      c.decodeModrm();
      if (c.modrmMod === 3) c.undefinedOpcode();
      if (c.eaRipRelative) {
        const address = c.ea - c.segmentBase;
        c.setReg(c.operandSize, c.modrmReg, address % TWO_POW_32 | 0, Math.floor(address / TWO_POW_32) | 0);
      } else {
        c.setReg(c.operandSize, c.modrmReg, c.eaLow, c.eaHigh);
      }
      return;
    }
    case 0x8f: {
      c.decodeModrm();
      if ((c.modrmReg & 7) !== 0) c.undefinedOpcode();
      const rsp = c.getReg64Number(4);
      const low = c.readMemory(8, rsp);
      c.writeRm(8, low, c.valHi);
      c.setReg64Number(4, rsp + 8);
      return;
    }
    case 0x90:
      if ((c.rex & 1) === 0) return;
      exchangeWithAccumulator(c, 8);
      return;
    case 0x91: case 0x92: case 0x93: case 0x94: case 0x95: case 0x96: case 0x97:
      exchangeWithAccumulator(c, opcode & 7);
      return;
    case 0x98: {
      const lo = c.gprLo;
      const value = lo[0] ?? 0;
      if (c.operandSize === 8) c.setReg(8, 0, value, value >> 31);
      else if (c.operandSize === 4) c.setReg(4, 0, (value << 16) >> 16, 0);
      else c.setReg(2, 0, (value << 24) >> 24, 0);
      return;
    }
    case 0x99: {
      const size = c.operandSize;
      const value = c.getReg(size, 0);
      const sign = size === 8 ? c.valHi >> 31 : size === 4 ? value >> 31 : (value << 16) >> 31;
      c.setReg(size, 2, sign, sign);
      return;
    }
    case 0x9b:
      return;
    case 0x9c: {
      const flags = c.readFlags() & ~(Flag.TF);
      c.push64(flags, 0);
      return;
    }
    case 0x9d: {
      const value = c.pop64();
      c.writeFlags(value);
      return;
    }
    case 0x9e: {
      const ah = ((c.gprLo[0] ?? 0) >> 8) & 0xd5;
      c.setEagerFlags((c.arithmeticFlags() & Flag.OF) | ah);
      return;
    }
    case 0x9f: {
      const flags = (c.arithmeticFlags() & 0xd5) | 2;
      c.gprLo[0] = ((c.gprLo[0] ?? 0) & ~0xff00) | (flags << 8);
      return;
    }
    case 0xa0: case 0xa1: case 0xa2: case 0xa3:
      moveOffset(c, opcode);
      return;
    case 0xa8:
    case 0xa9: {
      const size = opcode === 0xa8 ? 1 : c.operandSize;
      const b = c.fetchImmediate(size);
      const a = c.getReg(size, 0);
      aluBinary(c, AluOp.And, size, a, c.valHi, b, b >> 31);
      return;
    }
    case 0xa4: case 0xa5: case 0xa6: case 0xa7: case 0xaa: case 0xab: case 0xac: case 0xad: case 0xae: case 0xaf:
      executeString(c, opcode);
      return;
    case 0xb0: case 0xb1: case 0xb2: case 0xb3: case 0xb4: case 0xb5: case 0xb6: case 0xb7:
      c.setReg8((opcode & 7) | ((c.rex & 1) << 3), c.fetchImm8());
      return;
    case 0xb8: case 0xb9: case 0xba: case 0xbb: case 0xbc: case 0xbd: case 0xbe: case 0xbf: {
      const r = (opcode & 7) | ((c.rex & 1) << 3);
      if (c.operandSize === 8) {
        const low = c.fetchImm32();
        c.setReg(8, r, low, c.fetchImm32());
      } else {
        c.setReg(c.operandSize, r, c.fetchImmediate(c.operandSize), 0);
      }
      return;
    }
    case 0xc0: case 0xc1: case 0xd0: case 0xd1: case 0xd2: case 0xd3:
      executeShiftGroup(c, opcode);
      return;
    case 0xc2:
    case 0xc3: {
      const release = opcode === 0xc2 ? c.fetchImm16() : 0;
      const low = c.pop64();
      const target = unsignedOf(low, c.valHi);
      if (release !== 0) c.setReg64Number(4, c.getReg64Number(4) + release);
      c.jump(target);
      return;
    }
    case 0xc6:
    case 0xc7: {
      const size = opcode === 0xc6 ? 1 : c.operandSize;
      c.decodeModrm();
      if ((c.modrmReg & 7) !== 0) c.undefinedOpcode();
      const value = c.fetchImmediate(size);
      c.writeRm(size, value, value >> 31);
      return;
    }
    case 0xc8:
      enter(c);
      return;
    case 0xc9: {
      const rbp = c.getReg64Number(5);
      const low = c.readMemory(8, rbp);
      c.setReg64Number(4, rbp + 8);
      c.setReg(8, 5, low, c.valHi);
      return;
    }
    case 0xcc:
      c.raiseTrap(ExceptionVector.Breakpoint);
      return;
    case 0xcd: {
      const vector = c.fetchImm8();
      c.raise(ExceptionVector.GeneralProtection, vector * 8 + 2);
      return;
    }
    case 0xd8: case 0xd9: case 0xda: case 0xdb: case 0xdc: case 0xdd: case 0xde: case 0xdf:
      executeX87(c, opcode);
      return;
    case 0xe0:
    case 0xe1:
    case 0xe2: {
      const displacement = c.fetchS8();
      const count = c.addressSize32 ? ((c.gprLo[1] ?? 0) - 1) >>> 0 : c.getReg64Number(1) - 1;
      if (c.addressSize32) c.setReg(4, 1, count | 0, 0);
      else c.setReg64Number(1, wrapUnsigned(count));
      const zf = opcode === 0xe2 ? true : (c.getZF() !== 0) === (opcode === 0xe1);
      if (count !== 0 && zf) relativeJump(c, displacement);
      return;
    }
    case 0xe3: {
      const displacement = c.fetchS8();
      const zero = c.addressSize32 ? (c.gprLo[1] ?? 0) === 0 : ((c.gprLo[1] ?? 0) | (c.gprHi[1] ?? 0)) === 0;
      if (zero) relativeJump(c, displacement);
      return;
    }
    case 0xe8: {
      const displacement = c.fetchImm32();
      const returnAddress = c.currentRip();
      c.push64(returnAddress % TWO_POW_32 | 0, Math.floor(returnAddress / TWO_POW_32));
      relativeJump(c, displacement);
      return;
    }
    case 0xe9:
      relativeJump(c, c.fetchImm32());
      return;
    case 0xeb:
      relativeJump(c, c.fetchS8());
      return;
    case 0xe4: case 0xe5: case 0xe6: case 0xe7: case 0xec: case 0xed: case 0xee: case 0xef:
    case 0xf4: case 0xfa: case 0xfb:
      c.raise(ExceptionVector.GeneralProtection);
      return;
    case 0xf5:
      c.setEagerFlags(c.arithmeticFlags() ^ Flag.CF);
      return;
    case 0xf6:
    case 0xf7:
      executeGroup3(c, opcode);
      return;
    case 0xf8:
      c.setEagerFlags(c.arithmeticFlags() & ~Flag.CF);
      return;
    case 0xf9:
      c.setEagerFlags(c.arithmeticFlags() | Flag.CF);
      return;
    case 0xfc:
      c.controlFlags &= ~Flag.DF;
      return;
    case 0xfd:
      c.controlFlags |= Flag.DF;
      return;
    case 0xfe:
      executeIncDec(c, 1);
      return;
    case 0xff:
      executeGroup5(c);
      return;
    default:
      c.undefinedOpcode();
  }
}

function exchangeWithAccumulator(c: CoreState, register: number): void {
  const r = register | ((c.rex & 1) << 3);
  const size = c.operandSize;
  const a = c.getReg(size, 0);
  const aHi = c.valHi;
  const b = c.getReg(size, r);
  c.setReg(size, 0, b, c.valHi);
  c.setReg(size, r, a, aHi);
}

/** MOV AL/rAX <-> moffs (0xa0-0xa3): a 64-bit absolute address. */
function moveOffset(c: CoreState, opcode: number): void {
  let address: number;
  if (c.addressSize32) {
    address = c.fetchImm32() >>> 0;
  } else {
    const low = c.fetchImm32() >>> 0;
    address = (c.fetchImm32() >>> 0) * TWO_POW_32 + low;
  }
  address += c.segmentBase;
  const size = (opcode & 1) === 0 ? 1 : c.operandSize;
  if (opcode < 0xa2) {
    const value = c.readMemory(size, address);
    c.setReg(size, 0, value, c.valHi);
  } else {
    const value = c.getReg(size, 0);
    c.writeMemory(size, address, value, c.valHi);
  }
}

/** ENTER imm16, imm8 with 64-bit frames. */
function enter(c: CoreState): void {
  const frameSize = c.fetchImm16();
  const level = c.fetchImm8() & 31;
  const rbp = c.getReg64Number(5);
  let rsp = c.getReg64Number(4) - 8;
  c.writeMemory(8, rsp, c.gprLo[5] ?? 0, c.gprHi[5] ?? 0);
  const frameTemp = rsp;
  for (let i = 1; i < level; i++) {
    const low = c.readMemory(8, rbp - i * 8);
    rsp -= 8;
    c.writeMemory(8, rsp, low, c.valHi);
  }
  if (level > 0) {
    rsp -= 8;
    c.writeMemory(8, rsp, frameTemp % TWO_POW_32 | 0, Math.floor(frameTemp / TWO_POW_32));
  }
  c.setReg64Number(5, frameTemp);
  c.setReg64Number(4, rsp - frameSize);
}
