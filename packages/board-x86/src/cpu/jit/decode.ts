/**
 * The block translator's decoder: turns the bytes of one instruction into an `Insn`, the
 * symbolic form the code generator (compile.ts) works from.
 *
 * It knows the instructions that dominate what compilers emit (moves, the ALU, shifts,
 * stack, branches, cmov/setcc, the scalar SSE2 double arithmetic) and, for the rest of the
 * one-byte and 0F maps that cannot change control flow, only their length, so the
 * interpreter can execute them in the middle of a translated block (`Op.Interpret`).
 * Anything else, and anything it is unsure of, becomes `Op.Tail`: the interpreter runs it
 * and the block ends there. The interpreter stays the reference: this decoder never decides
 * what an instruction means when the interpreter would decide differently (#UD included).
 */

import { TWO_POW_32 } from "../guest-memory.ts";
import { sseFormSupported, sseHasImm8, sseKind } from "./sse-ops.ts";

export const Op = {
  /** Executed by the interpreter in place; the block goes on after it. */
  Interpret: 0,
  /** Executed by the interpreter; ends the block (control flow, syscalls, unknown forms). */
  Tail: 1,
  Mov: 2,
  /** MOVZX/MOVSX/MOVSXD: `sub` is the source size, `signed` the extension. */
  MovExtend: 3,
  Lea: 4,
  /** ADD/OR/AND/SUB/XOR/CMP (`sub` = the ALU op); `toReg` picks the destination. */
  Alu: 5,
  Test: 6,
  /** INC (`sub` 1) or DEC (`sub` -1). */
  IncDec: 7,
  Not: 8,
  Neg: 9,
  /** Shift or rotate by `imm` (or CL when `imm` is -1); `sub` is the group-2 kind. */
  Shift: 10,
  /** IMUL reg, r/m (`imm` unused) or reg, r/m, imm (`hasImm`). */
  Imul: 11,
  Push: 12,
  Pop: 13,
  Jcc: 14,
  Jmp: 15,
  Call: 16,
  Ret: 17,
  JmpIndirect: 18,
  CallIndirect: 19,
  Cmov: 20,
  Setcc: 21,
  Nop: 22,
  /** CBW/CWDE/CDQE. */
  WidenAccumulator: 23,
  /** CWD/CDQ/CQO. */
  SignIntoDx: 24,
  Bswap: 25,
  /** MOVSD xmm, xmm/m64 (F2 0F 10). */
  MovsdLoad: 26,
  /** MOVSD m64/xmm, xmm (F2 0F 11). */
  MovsdStore: 27,
  /** ADDSD/MULSD/SUBSD/DIVSD/SQRTSD (`sub` = the 0F opcode). */
  ScalarDouble: 28,
  /** SSE moves and packed-integer forms of sse-ops.ts (`sub` = the SseKind). */
  Sse: 29,
  /** UCOMISD (`sub` 0x2e) / COMISD (0x2f). */
  CompareDouble: 30,
  /** ADDPD/MULPD/SUBPD/DIVPD/SQRTPD (`sub` = the 0F opcode). */
  PackedDouble: 31,
} as const;
export type Op = (typeof Op)[keyof typeof Op];

/** Segment override of a memory operand. */
export const Segment = { None: 0, Fs: 1, Gs: 2 } as const;

export interface Insn {
  op: Op;
  /** Virtual address and RAM index of the first byte, and the length in bytes. */
  rip: number;
  phys: number;
  length: number;
  size: number;
  /** A REX prefix was present (selects SPL..DIL instead of AH..BH for byte registers). */
  rex: boolean;
  /** The ModRM reg field (with REX.R), or the register coded in the opcode. */
  reg: number;
  /** The r/m register (with REX.B), or -1 for a memory operand. */
  rm: number;
  base: number;
  index: number;
  scale: number;
  displacement: number;
  /** The absolute address of a RIP-relative operand, as int32 halves. */
  ripRelative: boolean;
  absoluteLow: number;
  absoluteHigh: number;
  segment: number;
  /** Immediate, sign-extended to int32 (`immHigh` is its 64-bit extension). */
  imm: number;
  immHigh: number;
  hasImm: boolean;
  sub: number;
  signed: boolean;
  toReg: boolean;
  /** Branch target (direct branches and calls). */
  target: number;
  /** May an interpreted instruction write general-purpose registers? */
  writesGprs: boolean;
  /** The flags this instruction reads and writes: 0 none, 1 all six, 2 some (it reads the rest). */
  readsFlags: boolean;
  writesFlags: number;
  /** Set by the liveness pass: a later reader (or the block's exit) needs this instruction's flags. */
  flagsNeeded: boolean;
}

function emptyInsn(rip: number, phys: number): Insn {
  return {
    op: Op.Tail,
    rip,
    phys,
    length: 0,
    size: 4,
    rex: false,
    reg: 0,
    rm: 0,
    base: -1,
    index: -1,
    scale: 0,
    displacement: 0,
    ripRelative: false,
    absoluteLow: 0,
    absoluteHigh: 0,
    segment: Segment.None,
    imm: 0,
    immHigh: 0,
    hasImm: false,
    sub: 0,
    signed: false,
    toReg: false,
    target: 0,
    writesGprs: true,
    readsFlags: true,
    writesFlags: 1,
    flagsNeeded: true,
  };
}

/** Ran past the end of the page: the instruction is left to the interpreter. */
class OutOfPage extends Error {}
const OUT_OF_PAGE = new OutOfPage();

/** Reads instruction bytes of one code page. */
class ByteReader {
  position: number;
  private readonly ram: Uint8Array;
  private readonly end: number;

  constructor(ram: Uint8Array, start: number, end: number) {
    this.ram = ram;
    this.position = start;
    this.end = end;
  }
  u8(): number {
    if (this.position >= this.end) throw OUT_OF_PAGE;
    return this.ram[this.position++] ?? 0;
  }
  s8(): number {
    return (this.u8() << 24) >> 24;
  }
  s16(): number {
    return ((this.u8() | (this.u8() << 8)) << 16) >> 16;
  }
  s32(): number {
    return this.u8() | (this.u8() << 8) | (this.u8() << 16) | (this.u8() << 24);
  }
}

/** Opcodes of the 0F map executed in place by the interpreter: SSE/SSE2 and a few integer forms with ModRM. */
function interpretedTwoByte(opcode: number): boolean {
  return (
    (opcode >= 0x10 && opcode <= 0x17) ||
    (opcode >= 0x28 && opcode <= 0x2f) ||
    (opcode >= 0x50 && opcode <= 0x76) ||
    (opcode >= 0x7e && opcode <= 0x7f) ||
    (opcode >= 0xc2 && opcode <= 0xc6) ||
    opcode >= 0xd1 ||
    opcode === 0xa3 ||
    opcode === 0xab ||
    opcode === 0xb3 ||
    opcode === 0xbb ||
    opcode === 0xa4 ||
    opcode === 0xa5 ||
    opcode === 0xac ||
    opcode === 0xad ||
    opcode === 0xba ||
    opcode === 0xbc ||
    opcode === 0xbd
  );
}

/** 0F opcodes of `interpretedTwoByte` followed by an imm8. */
function twoByteHasImm8(opcode: number): boolean {
  return (opcode >= 0x70 && opcode <= 0x73) || (opcode >= 0xc2 && opcode <= 0xc6) || opcode === 0xa4 || opcode === 0xac || opcode === 0xba;
}

/** Interpreted 0F opcodes that may write a general-purpose register (the rest only touch XMM, MXCSR or flags). */
function twoByteWritesGprs(opcode: number): boolean {
  return (opcode >= 0xa0 && opcode <= 0xbf) || opcode === 0x2c || opcode === 0x2d || opcode === 0x50 || opcode === 0x7e || opcode === 0xc5 || opcode === 0xd7;
}

/**
 * Decodes the instruction at RAM index `phys` (virtual `rip`); `pageEnd` bounds the bytes it
 * may read. Never throws: an instruction it cannot decode is a `Tail`.
 */
export function decodeInsn(ram: Uint8Array, phys: number, pageEnd: number, rip: number): Insn {
  const insn = emptyInsn(rip, phys);
  try {
    decodeInto(insn, new ByteReader(ram, phys, pageEnd));
  } catch (error) {
    if (error !== OUT_OF_PAGE) throw error;
    insn.op = Op.Tail;
  }
  return insn;
}

function decodeInto(insn: Insn, bytes: ByteReader): void {
  let rex = 0;
  let prefix66 = false;
  let rep = 0;
  let opcode = bytes.u8();
  for (let count = 0; ; count++) {
    if (count > 4) return;
    if ((opcode & 0xf0) === 0x40) {
      rex = opcode;
      opcode = bytes.u8();
      if ((opcode & 0xf0) === 0x40 || opcode === 0x66 || opcode === 0xf2 || opcode === 0xf3 || opcode === 0x64 || opcode === 0x65) return;
      break;
    }
    if (opcode === 0x66) prefix66 = true;
    else if (opcode === 0xf2 || opcode === 0xf3) rep = opcode;
    else if (opcode === 0x64) insn.segment = Segment.Fs;
    else if (opcode === 0x65) insn.segment = Segment.Gs;
    else if (opcode !== 0x2e && opcode !== 0x3e && opcode !== 0x26 && opcode !== 0x36) break;
    opcode = bytes.u8();
  }
  insn.rex = rex !== 0;
  const wide = (rex & 8) !== 0;
  insn.size = wide ? 8 : prefix66 ? 2 : 4;
  const finish = (op: Op): void => {
    insn.op = op;
    insn.length = bytes.position - insn.phys;
  };
  const modrm = (): number => decodeModrm(insn, bytes, rex);
  const fullImmediate = (): void => setImmediate(insn, insn.size === 2 ? bytes.s16() : bytes.s32());
  /** The AL/eAX, imm forms (ALU and TEST): the operand is the accumulator. */
  const accumulatorImmediate = (byteForm: boolean): void => {
    if (byteForm) insn.size = 1;
    insn.rm = 0;
    insn.hasImm = true;
    if (byteForm) setImmediate(insn, bytes.u8());
    else fullImmediate();
  };
  const flagsNone = (): void => {
    insn.readsFlags = false;
    insn.writesFlags = 0;
  };
  const flagsWrite = (): void => {
    insn.readsFlags = false;
    insn.writesFlags = 1;
  };
  const flagsRead = (): void => {
    insn.readsFlags = true;
    insn.writesFlags = 0;
  };

  if (opcode === 0x0f) {
    decodeTwoByte(insn, bytes, rex, prefix66, rep, finish, modrm, flagsNone, flagsWrite, flagsRead);
    return;
  }
  if (rep !== 0 && opcode !== 0xc3 && opcode !== 0x90) return;
  if (opcode < 0x40 && (opcode & 7) < 6) {
    const aluOp = opcode >> 3;
    if (aluOp === 2 || aluOp === 3) {
      if ((opcode & 7) < 4) modrm();
      else if ((opcode & 7) === 4) bytes.u8();
      else fullImmediate();
      finish(Op.Interpret);
      return;
    }
    insn.sub = aluOp;
    const form = opcode & 7;
    if (form === 0 || form === 2) insn.size = 1;
    if (form < 4) {
      modrm();
      insn.toReg = form >= 2;
    } else {
      accumulatorImmediate(form === 4);
    }
    flagsWrite();
    finish(Op.Alu);
    return;
  }
  if (opcode >= 0x50 && opcode <= 0x5f) {
    if (prefix66) return;
    insn.reg = (opcode & 7) | ((rex & 1) << 3);
    insn.size = 8;
    flagsNone();
    finish(opcode < 0x58 ? Op.Push : Op.Pop);
    return;
  }
  if (opcode >= 0x70 && opcode <= 0x7f) {
    const displacement = bytes.s8();
    insn.sub = opcode & 0xf;
    flagsRead();
    finish(Op.Jcc);
    insn.target = insn.rip + insn.length + displacement;
    return;
  }
  if (opcode >= 0xb0 && opcode <= 0xbf) {
    insn.reg = (opcode & 7) | ((rex & 1) << 3);
    insn.rm = insn.reg;
    insn.hasImm = true;
    if (opcode < 0xb8) {
      insn.size = 1;
      setImmediate(insn, bytes.u8());
    } else if (wide) {
      const low = bytes.s32();
      const high = bytes.s32();
      insn.imm = low;
      insn.immHigh = high;
    } else {
      fullImmediate();
    }
    flagsNone();
    finish(Op.Mov);
    return;
  }
  if (opcode >= 0xd8 && opcode <= 0xdf) {
    const modrmByte = modrm();
    insn.writesGprs = opcode === 0xdf && modrmByte === 0xe0;
    finish(Op.Interpret);
    return;
  }
  switch (opcode) {
    case 0x63:
      modrm();
      insn.sub = 4;
      insn.signed = wide;
      insn.toReg = true;
      flagsNone();
      finish(wide ? Op.MovExtend : Op.Mov);
      return;
    case 0x68:
    case 0x6a:
      if (prefix66) return;
      setImmediate(insn, opcode === 0x68 ? bytes.s32() : bytes.s8());
      insn.size = 8;
      insn.hasImm = true;
      insn.reg = -1;
      flagsNone();
      finish(Op.Push);
      return;
    case 0x69:
    case 0x6b:
      modrm();
      insn.hasImm = true;
      if (opcode === 0x69) fullImmediate();
      else setImmediate(insn, bytes.s8());
      flagsWrite();
      finish(Op.Imul);
      return;
    case 0x80:
    case 0x81:
    case 0x83: {
      if (opcode === 0x80) insn.size = 1;
      modrm();
      const aluOp = insn.reg & 7;
      insn.hasImm = true;
      if (opcode === 0x81) fullImmediate();
      else setImmediate(insn, opcode === 0x80 ? bytes.u8() : bytes.s8());
      if (aluOp === 2 || aluOp === 3) {
        finish(Op.Interpret);
        return;
      }
      insn.sub = aluOp;
      flagsWrite();
      finish(Op.Alu);
      return;
    }
    case 0x84:
    case 0x85:
      if (opcode === 0x84) insn.size = 1;
      modrm();
      flagsWrite();
      finish(Op.Test);
      return;
    case 0x88:
    case 0x89:
    case 0x8a:
    case 0x8b:
      if (opcode === 0x88 || opcode === 0x8a) insn.size = 1;
      modrm();
      insn.toReg = opcode >= 0x8a;
      flagsNone();
      finish(Op.Mov);
      return;
    case 0x8d:
      modrm();
      if (insn.rm >= 0) return;
      flagsNone();
      finish(Op.Lea);
      return;
    case 0x90:
      if ((rex & 1) !== 0) return;
      flagsNone();
      finish(Op.Nop);
      return;
    case 0x98:
    case 0x99:
      flagsNone();
      finish(opcode === 0x98 ? Op.WidenAccumulator : Op.SignIntoDx);
      return;
    case 0xa8:
    case 0xa9:
      accumulatorImmediate(opcode === 0xa8);
      flagsWrite();
      finish(Op.Test);
      return;
    case 0xc0:
    case 0xc1:
    case 0xd0:
    case 0xd1:
    case 0xd2:
    case 0xd3: {
      if ((opcode & 1) === 0) insn.size = 1;
      modrm();
      insn.sub = insn.reg & 7;
      insn.imm = opcode <= 0xc1 ? bytes.u8() : opcode <= 0xd1 ? 1 : -1;
      if (insn.sub === 2 || insn.sub === 3) {
        finish(Op.Interpret);
        return;
      }
      // Rotates keep SF/ZF/PF/AF; a count of zero changes nothing: both read the old flags.
      insn.readsFlags = false;
      insn.writesFlags = insn.sub <= 1 || (insn.imm & (insn.size === 8 ? 63 : 31)) === 0 || insn.imm === -1 ? 2 : 1;
      finish(Op.Shift);
      return;
    }
    case 0xc3:
      flagsNone();
      finish(Op.Ret);
      return;
    case 0xc6:
    case 0xc7:
      if (opcode === 0xc6) insn.size = 1;
      modrm();
      if ((insn.reg & 7) !== 0) return;
      insn.hasImm = true;
      if (opcode === 0xc6) setImmediate(insn, bytes.u8());
      else fullImmediate();
      flagsNone();
      finish(Op.Mov);
      return;
    case 0xe8:
    case 0xe9:
    case 0xeb: {
      const displacement = opcode === 0xeb ? bytes.s8() : bytes.s32();
      flagsNone();
      finish(opcode === 0xe8 ? Op.Call : Op.Jmp);
      insn.target = insn.rip + insn.length + displacement;
      return;
    }
    case 0xf6:
    case 0xf7: {
      if (opcode === 0xf6) insn.size = 1;
      modrm();
      const kind = insn.reg & 7;
      if (kind <= 1) {
        insn.hasImm = true;
        if (opcode === 0xf6) setImmediate(insn, bytes.u8());
        else fullImmediate();
        flagsWrite();
        finish(Op.Test);
      } else if (kind === 2) {
        flagsNone();
        finish(Op.Not);
      } else if (kind === 3) {
        flagsWrite();
        finish(Op.Neg);
      } else {
        finish(Op.Interpret);
      }
      return;
    }
    case 0xfe:
    case 0xff: {
      if (opcode === 0xfe) insn.size = 1;
      modrm();
      const kind = insn.reg & 7;
      if (kind <= 1) {
        insn.sub = kind === 0 ? 1 : -1;
        insn.readsFlags = false;
        insn.writesFlags = 2;
        finish(Op.IncDec);
        return;
      }
      if (opcode === 0xfe || prefix66) return;
      insn.size = 8;
      flagsNone();
      if (kind === 2) finish(Op.CallIndirect);
      else if (kind === 4) finish(Op.JmpIndirect);
      else if (kind === 6) {
        insn.reg = -1;
        finish(Op.Push);
      }
      return;
    }
    default:
      return;
  }
}

function decodeTwoByte(
  insn: Insn,
  bytes: ByteReader,
  rex: number,
  prefix66: boolean,
  rep: number,
  finish: (op: Op) => void,
  modrm: () => number,
  flagsNone: () => void,
  flagsWrite: () => void,
  flagsRead: () => void,
): void {
  const opcode = bytes.u8();
  if (opcode >= 0x80 && opcode <= 0x8f) {
    const displacement = bytes.s32();
    insn.sub = opcode & 0xf;
    flagsRead();
    finish(Op.Jcc);
    insn.target = insn.rip + insn.length + displacement;
    return;
  }
  if (opcode === 0x1e && rep === 0xf3) {
    if (bytes.u8() !== 0xfa) return;
    flagsNone();
    finish(Op.Nop);
    return;
  }
  if (rep === 0xf2 && (opcode === 0x10 || opcode === 0x11 || opcode === 0x51 || opcode === 0x58 || opcode === 0x59 || opcode === 0x5c || opcode === 0x5e)) {
    modrm();
    flagsNone();
    insn.sub = opcode;
    finish(opcode === 0x10 ? Op.MovsdLoad : opcode === 0x11 ? Op.MovsdStore : Op.ScalarDouble);
    return;
  }
  if (prefix66 && rep === 0 && (opcode === 0x51 || opcode === 0x58 || opcode === 0x59 || opcode === 0x5c || opcode === 0x5e)) {
    modrm();
    insn.sub = opcode;
    insn.writesGprs = false;
    flagsNone();
    finish(Op.PackedDouble);
    return;
  }
  if (prefix66 && rep === 0 && (opcode === 0x2e || opcode === 0x2f)) {
    modrm();
    insn.sub = opcode;
    insn.writesGprs = false;
    flagsWrite();
    finish(Op.CompareDouble);
    return;
  }
  const kind = sseKind(prefix66, rep, opcode);
  if (kind >= 0) {
    modrm();
    if (sseHasImm8(kind)) insn.imm = bytes.u8();
    // 66/F3 are part of these opcodes, not operand-size prefixes.
    insn.size = (rex & 8) !== 0 ? 8 : 4;
    insn.sub = kind;
    flagsNone();
    insn.writesGprs = false;
    finish(sseFormSupported(kind, insn) ? Op.Sse : Op.Interpret);
    return;
  }
  if (opcode === 0x1f) {
    modrm();
    flagsNone();
    finish(Op.Nop);
    return;
  }
  if (opcode >= 0x40 && opcode <= 0x4f) {
    modrm();
    insn.sub = opcode & 0xf;
    flagsRead();
    finish(Op.Cmov);
    return;
  }
  if (opcode >= 0x90 && opcode <= 0x9f) {
    insn.size = 1;
    modrm();
    insn.sub = opcode & 0xf;
    flagsRead();
    finish(Op.Setcc);
    return;
  }
  if (opcode === 0xaf) {
    modrm();
    flagsWrite();
    finish(Op.Imul);
    return;
  }
  if (opcode === 0xb6 || opcode === 0xb7 || opcode === 0xbe || opcode === 0xbf) {
    modrm();
    insn.sub = (opcode & 1) === 0 ? 1 : 2;
    insn.signed = opcode >= 0xbe;
    insn.toReg = true;
    flagsNone();
    finish(Op.MovExtend);
    return;
  }
  if (opcode >= 0xc8 && opcode <= 0xcf) {
    if (prefix66) return;
    insn.reg = (opcode & 7) | ((rex & 1) << 3);
    flagsNone();
    finish(Op.Bswap);
    return;
  }
  if (interpretedTwoByte(opcode)) {
    modrm();
    if (twoByteHasImm8(opcode)) bytes.u8();
    insn.writesGprs = twoByteWritesGprs(opcode);
    finish(Op.Interpret);
  }
}

function setImmediate(insn: Insn, value: number): void {
  insn.imm = value;
  insn.immHigh = value >> 31;
}

/** Decodes ModRM/SIB/displacement into the insn's operand fields; returns the ModRM byte. */
function decodeModrm(insn: Insn, bytes: ByteReader, rex: number): number {
  const modrm = bytes.u8();
  const mod = modrm >> 6;
  const rm = modrm & 7;
  insn.reg = ((modrm >> 3) & 7) | ((rex & 4) << 1);
  if (mod === 3) {
    insn.rm = rm | ((rex & 1) << 3);
    return modrm;
  }
  insn.rm = -1;
  if (rm === 4) {
    const sib = bytes.u8();
    insn.scale = sib >> 6;
    const index = ((sib >> 3) & 7) | ((rex & 2) << 2);
    insn.index = index === 4 ? -1 : index;
    const base = (sib & 7) | ((rex & 1) << 3);
    if ((base & 7) === 5 && mod === 0) {
      insn.base = -1;
      insn.displacement = bytes.s32();
      return modrm;
    }
    insn.base = base;
  } else if (rm === 5 && mod === 0) {
    insn.ripRelative = true;
    insn.displacement = bytes.s32();
    return modrm;
  } else {
    insn.base = rm | ((rex & 1) << 3);
  }
  insn.displacement = mod === 1 ? bytes.s8() : mod === 2 ? bytes.s32() : 0;
  return modrm;
}

/** Whether a decoded block ends by branching back to its own first instruction (a loop). */
export function branchesToStart(insns: readonly Insn[]): boolean {
  const first = insns[0];
  const last = insns[insns.length - 1];
  return first !== undefined && last !== undefined && (last.op === Op.Jcc || last.op === Op.Jmp) && last.target === first.rip;
}

/**
 * Fixes the absolute address of a RIP-relative operand once the whole instruction (and so
 * its end) is known.
 */
export function resolveRipRelative(insn: Insn): void {
  if (!insn.ripRelative) return;
  const address = insn.rip + insn.length + insn.displacement;
  insn.absoluteLow = address | 0;
  insn.absoluteHigh = Math.floor(address / TWO_POW_32) | 0;
}
