/**
 * The general-purpose instructions the translator emits itself: operands (registers, memory,
 * immediates), moves, the ALU with lazily recorded flags, INC/DEC, shifts and rotates whose
 * flags are dead, IMUL, and the stack. Values are int32 expressions, 64-bit ones as
 * (low, high) pairs (emitter.ts); each instruction computes into temporaries and writes
 * last, so a fault leaves the state as before it.
 */

import { AluOp, ShiftKind } from "../alu.ts";
import { FlagKind } from "../lazy-flags.ts";
import type { Emitter, Pair } from "./emitter.ts";
import type { Insn } from "./decode.ts";

export function immediate(insn: Insn, size: number): Pair {
  if (size === 8) return [String(insn.imm), String(insn.immHigh)];
  if (size === 4) return [String(insn.imm), "0"];
  return [String(insn.imm & (size === 1 ? 0xff : 0xffff)), "0"];
}

export function readRm(e: Emitter, insn: Insn, size: number, forWrite = false): Pair {
  if (insn.rm >= 0) return e.readRegister(size, insn.rm, insn.rex);
  return e.load(size, e.address(insn), forWrite);
}

export function writeRm(e: Emitter, insn: Insn, size: number, value: Pair, address?: Pair): void {
  if (insn.rm >= 0) e.writeRegister(size, insn.rm, insn.rex, value);
  else e.store(size, address ?? e.address(insn), value);
}

/** Reads the r/m operand of a read-modify-write instruction; returns the value and its address. */
export function readRmForUpdate(e: Emitter, insn: Insn, size: number): { value: Pair; address?: Pair } {
  if (insn.rm >= 0) return { value: e.readRegister(size, insn.rm, insn.rex) };
  const address = e.address(insn);
  return { value: e.load(size, address, true), address };
}

export function push(e: Emitter, value: Pair): void {
  const rspLow = e.low(4);
  const rspHigh = e.high(4);
  const low = e.let(`(${rspLow} - 8) | 0`);
  const high = e.let(`(${rspHigh} - ((${rspLow} >>> 0) < 8 ? 1 : 0)) | 0`);
  e.store(8, [low, high], value);
  e.writeRegister(8, 4, true, [low, high]);
}

export function pop(e: Emitter): Pair {
  const value = e.load(8, [e.low(4), e.high(4)], false);
  e.writeRegister(8, 4, true, e.add(e.low(4), e.high(4), "8", "0"));
  return value;
}

export function emitMove(e: Emitter, insn: Insn): void {
  const size = insn.size;
  if (insn.hasImm) {
    writeRm(e, insn, size, immediate(insn, size));
  } else if (insn.toReg) {
    e.writeRegister(size, insn.reg, insn.rex, readRm(e, insn, size));
  } else {
    writeRm(e, insn, size, e.readRegister(size, insn.reg, insn.rex));
  }
}

export function emitAlu(e: Emitter, insn: Insn): void {
  const size = insn.size;
  const op = insn.sub;
  let a: Pair;
  let b: Pair;
  let address: Pair | undefined;
  if (insn.toReg) {
    a = e.readRegister(size, insn.reg, insn.rex);
    b = readRm(e, insn, size);
  } else {
    if (op === AluOp.Cmp) a = readRm(e, insn, size);
    else ({ value: a, address } = readRmForUpdate(e, insn, size));
    b = insn.hasImm ? immediate(insn, size) : e.readRegister(size, insn.reg, insn.rex);
  }
  let result: Pair;
  if (op === AluOp.Add) {
    const low = e.let(`(${a[0]} + ${b[0]}) | 0`);
    result = size === 8 ? [low, e.let(`(${a[1]} + ${b[1]} + ((${low} >>> 0) < (${a[0]} >>> 0) ? 1 : 0)) | 0`)] : [low, "0"];
    e.recordArithmetic(insn, FlagKind.Add, size, a, b, result);
  } else if (op === AluOp.Sub || op === AluOp.Cmp) {
    result = size === 8 ? e.subtract(a, b) : [e.let(`(${a[0]} - ${b[0]}) | 0`), "0"];
    e.recordArithmetic(insn, FlagKind.Sub, size, a, b, result);
  } else {
    const operator = op === AluOp.Or ? "|" : op === AluOp.And ? "&" : "^";
    const sameRegister = op === AluOp.Xor && !insn.hasImm && insn.rm === insn.reg;
    const low = sameRegister ? "0" : e.let(`${a[0]} ${operator} ${b[0]}`);
    const high = size !== 8 || sameRegister ? "0" : e.let(`${a[1]} ${operator} ${b[1]}`);
    result = [low, high];
    e.recordLogic(insn, size, result);
  }
  if (op === AluOp.Cmp) return;
  if (insn.toReg) e.writeRegister(size, insn.reg, insn.rex, result);
  else writeRm(e, insn, size, result, address);
}

export function emitIncDec(e: Emitter, insn: Insn): void {
  const size = insn.size;
  const { value, address } = readRmForUpdate(e, insn, size);
  const low = e.let(`(${value[0]} + ${insn.sub}) | 0`);
  let high = "0";
  if (size === 8) {
    high =
      insn.sub > 0
        ? e.let(`(${value[1]} + (${low} === 0 ? 1 : 0)) | 0`)
        : e.let(`(${value[1]} - (${value[0]} === 0 ? 1 : 0)) | 0`);
  }
  writeRm(e, insn, size, [low, high], address);
  e.recordArithmetic(insn, insn.sub > 0 ? FlagKind.Inc : FlagKind.Dec, size, value, ["1", "0"], [low, high]);
}

/**
 * Shifts and rotates: 32-bit ones by a constant with their flags (when read), the others
 * whose flags nobody reads; the rest (8/16-bit, and 64-bit or CL counts whose flags are
 * read) run in the interpreter.
 */
export function emitShift(e: Emitter, insn: Insn): void {
  const size = insn.size;
  const kind = insn.sub === ShiftKind.Sal ? ShiftKind.Shl : insn.sub;
  const constantCount = insn.imm >= 0;
  if (size < 4 || (size === 8 && !constantCount) || (insn.flagsNeeded && (size === 8 || !constantCount))) {
    e.interpretInPlace(insn);
    return;
  }
  if (insn.flagsNeeded) {
    emitShift32WithFlags(e, insn, kind, insn.imm & 31);
    return;
  }
  const { value, address } = readRmForUpdate(e, insn, size);
  const [a, ah] = value;
  let result: Pair;
  if (size === 4) {
    const count = insn.imm < 0 ? e.let(`${e.low(1)} & 31`) : String(insn.imm & 31);
    switch (kind) {
      case ShiftKind.Shl:
        result = [e.let(`${a} << ${count}`), "0"];
        break;
      case ShiftKind.Shr:
        result = [e.let(`(${a} >>> ${count}) | 0`), "0"];
        break;
      case ShiftKind.Sar:
        result = [e.let(`${a} >> ${count}`), "0"];
        break;
      case ShiftKind.Rol:
        result = [e.let(`(${a} << ${count}) | (${a} >>> (32 - ${count}))`), "0"];
        break;
      default:
        result = [e.let(`(${a} >>> ${count}) | (${a} << (32 - ${count}))`), "0"];
        break;
    }
  } else {
    result = shift64(e, kind, a, ah, insn.imm & 63);
  }
  writeRm(e, insn, size, result, address);
  e.forgetFlags();
}

/**
 * A 32-bit shift or rotate by constant `count` whose flags are read: CF, OF and the result
 * flags as the interpreter computes them (alu.ts `shiftRotate`, OF included for counts
 * above 1, where the hardware leaves it undefined). A zero count changes no flag.
 */
function emitShift32WithFlags(e: Emitter, insn: Insn, kind: number, count: number): void {
  const { value, address } = readRmForUpdate(e, insn, 4);
  const a = value[0];
  if (count === 0) {
    writeRm(e, insn, 4, [a, "0"], address);
    return;
  }
  let result: string;
  let carry: string;
  let overflow: string;
  switch (kind) {
    case ShiftKind.Shl:
      result = e.let(`${a} << ${count}`);
      carry = e.let(`(${a} >>> ${32 - count}) & 1`);
      overflow = `(${result} >>> 31) ^ ${carry}`;
      break;
    case ShiftKind.Shr:
      result = e.let(`(${a} >>> ${count}) | 0`);
      carry = `(${a} >>> ${count - 1}) & 1`;
      overflow = `${a} >>> 31`;
      break;
    case ShiftKind.Sar:
      result = e.let(`${a} >> ${count}`);
      carry = `(${a} >>> ${count - 1}) & 1`;
      overflow = "0";
      break;
    case ShiftKind.Rol:
      result = e.let(`(${a} << ${count}) | (${a} >>> ${32 - count})`);
      carry = e.let(`${result} & 1`);
      overflow = `(${result} >>> 31) ^ ${carry}`;
      break;
    default:
      result = e.let(`(${a} >>> ${count}) | (${a} << ${32 - count})`);
      carry = e.let(`${result} >>> 31`);
      overflow = `${carry} ^ ((${result} >>> 30) & 1)`;
      break;
  }
  writeRm(e, insn, 4, [result, "0"], address);
  const rotate = kind === ShiftKind.Rol || kind === ShiftKind.Ror;
  e.emit(rotate ? `core.recordRotate(${carry}, ${overflow});` : `core.recordShift(4, ${result}, 0, ${carry}, ${overflow});`);
  e.forgetFlags();
}

/** A 64-bit shift or rotate by a constant count. */
function shift64(e: Emitter, kind: number, a: string, ah: string, count: number): Pair {
  if (count === 0) return [a, ah];
  if (kind === ShiftKind.Rol || kind === ShiftKind.Ror) {
    const left = kind === ShiftKind.Rol ? count : 64 - count;
    const [low, high] = left >= 32 ? [ah, a] : [a, ah];
    const c = left & 31;
    if (c === 0) return [low, high];
    return [e.let(`(${low} << ${c}) | (${high} >>> ${32 - c})`), e.let(`(${high} << ${c}) | (${low} >>> ${32 - c})`)];
  }
  if (kind === ShiftKind.Shl) {
    if (count >= 32) return ["0", e.let(`${a} << ${count - 32}`)];
    return [e.let(`${a} << ${count}`), e.let(`(${ah} << ${count}) | (${a} >>> ${32 - count})`)];
  }
  if (count >= 32) {
    if (kind === ShiftKind.Shr) return [e.let(`(${ah} >>> ${count - 32}) | 0`), "0"];
    return [e.let(`${ah} >> ${count - 32}`), e.let(`${ah} >> 31`)];
  }
  const low = e.let(`(${a} >>> ${count}) | (${ah} << ${32 - count})`);
  const high = kind === ShiftKind.Shr ? e.let(`(${ah} >>> ${count}) | 0`) : e.let(`${ah} >> ${count}`);
  return [low, high];
}

/** IMUL whose flags nobody reads (the rest run in the interpreter). */
export function emitImul(e: Emitter, insn: Insn): void {
  const size = insn.size;
  if (insn.flagsNeeded) {
    e.interpretInPlace(insn);
    return;
  }
  const b = readRm(e, insn, size);
  const a = insn.hasImm ? immediate(insn, size) : e.readRegister(size, insn.reg, insn.rex);
  let result: Pair;
  if (size === 8) {
    const low = e.let(`Math.imul(${a[0]}, ${b[0]})`);
    const a0 = e.let(`${a[0]} & 65535`);
    const a1 = e.let(`${a[0]} >>> 16`);
    const b0 = e.let(`${b[0]} & 65535`);
    const b1 = e.let(`${b[0]} >>> 16`);
    const middle = e.let(`${a1} * ${b0} + ((${a0} * ${b0}) >>> 16)`);
    const cross = e.let(`${a0} * ${b1} + (${middle} & 65535)`);
    const carry = e.let(`${a1} * ${b1} + Math.floor(${middle} / 65536) + Math.floor(${cross} / 65536)`);
    result = [low, e.let(`(${carry} + Math.imul(${a[0]}, ${b[1]}) + Math.imul(${a[1]}, ${b[0]})) | 0`)];
  } else {
    result = [e.let(`Math.imul(${a[0]}, ${b[0]})`), "0"];
  }
  e.writeRegister(size, insn.reg, insn.rex, result);
  e.forgetFlags();
}

