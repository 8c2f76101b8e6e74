/**
 * Translates a decoded block into one JavaScript function (`new Function`; the board is host
 * code, so generating code is allowed here, unlike in the image packages).
 *
 * The function runs the block's instructions on the core and returns how it left: 0 for
 * the taken direct branch, 1 for the fall-through, 2 when `core.nextRip` holds a computed
 * target (returns, indirect jumps, an instruction the interpreter finished the block with).
 * On an exception it stores the registers, counts the instructions that retired, points
 * `instructionRip` at the faulting one and rethrows, so the interpreter's precise state
 * holds in translated code too.
 */

import { AluOp, ShiftKind } from "../alu.ts";
import { FlagKind } from "../lazy-flags.ts";
import type { CoreState } from "../core-state.ts";
import { Emitter, type Pair } from "./emitter.ts";
import { Op, type Insn } from "./decode.ts";
import { markFlagLiveness } from "./flag-liveness.ts";
import { emitSseKind } from "./sse-ops.ts";

/**
 * A translated block, called with the core, the RAM index of the block's first byte and the
 * instructions left before the next poll (at least the block's count): returns 0 (taken),
 * 1 (fall-through), 2 (a computed target) or 3 + k (side exit k); `core.nextRip` holds the
 * target in every case.
 */
export type CompiledBlock = (core: TranslatedCore, phys: number, budget: number) => number;

/** What translated code uses beyond CoreState. */
export interface TranslatedCore extends CoreState {
  nextRip: number;
  instructionsRetired: number;
  executeAt(phys: number, rip: number, length: number): void;
  scalarDouble(opcode: number, destination: number, source: number): void;
}

const EXIT_TAKEN = 0;
const EXIT_FALL_THROUGH = 1;
const EXIT_COMPUTED = 2;
/** Side exit k (the k-th conditional branch inside the block) returns EXIT_FIRST_SIDE + k. */
export const EXIT_FIRST_SIDE = 3;

/** The slot SSE instructions copy a memory source into (context.ts XMM_SOURCE_SLOT). */
const SOURCE_SLOT = 16;
/** Results at least this large (and finite) need no MXCSR flag work once PE is set (sse-rounding.ts). */
const SAFE_MAGNITUDE = 2 ** -125;

/**
 * Generates the source of the block's function; `compileBlock` turns it into one. A
 * conditional branch inside the block is a side exit: taken, it leaves with its own exit
 * code (so the dispatcher caches its successor apart from the others); not taken, the block
 * goes on.
 */
function generateBlockSource(insns: readonly Insn[]): string {
  markFlagLiveness(insns);
  const first = insns[0];
  const last = insns[insns.length - 1];
  if (first === undefined || last === undefined) throw new Error("block translator: empty block");
  const e = new Emitter(first.phys);
  let exit = EXIT_FALL_THROUGH;
  // Only the last instruction can be a tail (the interpreter finishes the block with it).
  const tail = last.op === Op.Tail ? last : null;
  let sideExits = 0;
  insns.forEach((insn, index) => {
    e.emit(`n = ${index};`);
    if (insn === tail) {
      return;
    } else if (insn.op === Op.Jcc && insn !== last) {
      const exitCode = EXIT_FIRST_SIDE + sideExits++;
      e.emit(`if (${e.condition(insn.sub)}) { ${e.scalars.storeCode()} done = ${index + 1}; core.nextRip = ${insn.target}; x = ${exitCode}; break block; }`);
    } else {
      exit = emitInstruction(e, insn);
    }
  });
  e.scalars.drop();
  const loops = (last.op === Op.Jcc || last.op === Op.Jmp) && last.target === first.rip;
  if (loops && last.op === Op.Jmp) e.emit("x = 0;");
  const fallThrough = last.rip + last.length;
  let epilogue: string;
  if (tail !== null) {
    const { phys, rip } = tail;
    epilogue = `if (x > 1) return x;\ncore.executeAt(P + ${phys - first.phys}, ${rip}, 0);\ncore.instructionsRetired += 1;\nreturn 2;`;
  } else if (exit === EXIT_TAKEN) {
    epilogue = `if (x > 1) return x;\ncore.nextRip = ${last.target};\nreturn 0;`;
  } else if (exit === EXIT_COMPUTED) {
    epilogue = "return x > 1 ? x : 2;";
  } else if (last.op === Op.Jcc) {
    epilogue = `if (x < 2) core.nextRip = x === 0 ? ${last.target} : ${fallThrough};\nreturn x;`;
  } else {
    epilogue = `if (x > 1) return x;\ncore.nextRip = ${fallThrough};\nreturn 1;`;
  }
  const passCount = tail === null ? insns.length : insns.length - 1;
  return e.assemble(passCount, epilogue, loops);
}

/** Compiles a decoded block (at least one instruction) into its function. */
export function compileBlock(insns: readonly Insn[]): CompiledBlock {
  const rips = insns.map((insn) => insn.rip);
  const factory = new Function("RIPS", `return function translatedBlock(core, P, B) {\n${generateBlockSource(insns)}\n};`) as (
    rips: readonly number[],
  ) => CompiledBlock;
  return factory(rips);
}

function immediate(insn: Insn, size: number): Pair {
  if (size === 8) return [String(insn.imm), String(insn.immHigh)];
  if (size === 4) return [String(insn.imm), "0"];
  return [String(insn.imm & (size === 1 ? 0xff : 0xffff)), "0"];
}

function readRm(e: Emitter, insn: Insn, size: number, forWrite = false): Pair {
  if (insn.rm >= 0) return e.readRegister(size, insn.rm, insn.rex);
  return e.load(size, e.address(insn), forWrite);
}

function writeRm(e: Emitter, insn: Insn, size: number, value: Pair, address?: Pair): void {
  if (insn.rm >= 0) e.writeRegister(size, insn.rm, insn.rex, value);
  else e.store(size, address ?? e.address(insn), value);
}

/** Reads the r/m operand of a read-modify-write instruction; returns the value and its address. */
function readRmForUpdate(e: Emitter, insn: Insn, size: number): { value: Pair; address?: Pair } {
  if (insn.rm >= 0) return { value: e.readRegister(size, insn.rm, insn.rex) };
  const address = e.address(insn);
  return { value: e.load(size, address, true), address };
}

/** Emits one instruction; returns how the block exits if it is the last one. */
function emitInstruction(e: Emitter, insn: Insn): number {
  const size = insn.size;
  switch (insn.op) {
    case Op.Interpret:
      e.interpretInPlace(insn);
      return EXIT_FALL_THROUGH;
    case Op.Nop:
      return EXIT_FALL_THROUGH;
    case Op.Mov:
      emitMove(e, insn);
      return EXIT_FALL_THROUGH;
    case Op.MovExtend: {
      const [value] = readRm(e, insn, insn.sub);
      let low = value;
      let high = "0";
      if (insn.signed) {
        if (insn.sub < 4) low = e.let(`(${value} << ${32 - insn.sub * 8}) >> ${32 - insn.sub * 8}`);
        high = e.let(`${low} >> 31`);
      }
      e.writeRegister(size, insn.reg, insn.rex, [low, high]);
      return EXIT_FALL_THROUGH;
    }
    case Op.Lea:
      e.writeRegister(size, insn.reg, insn.rex, e.address(insn, false));
      return EXIT_FALL_THROUGH;
    case Op.Alu:
      emitAlu(e, insn);
      return EXIT_FALL_THROUGH;
    case Op.Test: {
      const a = readRm(e, insn, size);
      const b = insn.hasImm ? immediate(insn, size) : e.readRegister(size, insn.reg, insn.rex);
      e.recordLogic(insn, size, [e.let(`${a[0]} & ${b[0]}`), size === 8 ? e.let(`${a[1]} & ${b[1]}`) : "0"]);
      return EXIT_FALL_THROUGH;
    }
    case Op.IncDec:
      emitIncDec(e, insn);
      return EXIT_FALL_THROUGH;
    case Op.Not: {
      const { value, address } = readRmForUpdate(e, insn, size);
      writeRm(e, insn, size, [e.let(`~${value[0]}`), size === 8 ? e.let(`~${value[1]}`) : "0"], address);
      return EXIT_FALL_THROUGH;
    }
    case Op.Neg: {
      const { value, address } = readRmForUpdate(e, insn, size);
      const result: Pair = size === 8 ? e.subtract(["0", "0"], value) : [e.let(`-${value[0]} | 0`), "0"];
      writeRm(e, insn, size, result, address);
      e.recordArithmetic(insn, FlagKind.Sub, size, ["0", "0"], value, result);
      return EXIT_FALL_THROUGH;
    }
    case Op.Shift:
      emitShift(e, insn);
      return EXIT_FALL_THROUGH;
    case Op.Imul:
      emitImul(e, insn);
      return EXIT_FALL_THROUGH;
    case Op.WidenAccumulator: {
      const from = e.low(0);
      if (size === 2) e.writeRegister(2, 0, false, [e.let(`(${from} << 24) >> 24`), "0"]);
      else if (size === 4) e.writeRegister(4, 0, false, [e.let(`(${from} << 16) >> 16`), "0"]);
      else e.writeRegister(8, 0, false, [e.let(from), e.let(`${from} >> 31`)]);
      return EXIT_FALL_THROUGH;
    }
    case Op.SignIntoDx: {
      if (size === 2) e.writeRegister(2, 2, false, [e.let(`(${e.low(0)} << 16) >> 31`), "0"]);
      else if (size === 4) e.writeRegister(4, 2, false, [e.let(`${e.low(0)} >> 31`), "0"]);
      else {
        const sign = e.let(`${e.high(0)} >> 31`);
        e.writeRegister(8, 2, false, [sign, sign]);
      }
      return EXIT_FALL_THROUGH;
    }
    case Op.Bswap: {
      const swap = (v: string): string => `(${v} << 24) | ((${v} & 65280) << 8) | ((${v} >>> 8) & 65280) | (${v} >>> 24)`;
      const [low, high] = e.readRegister(size, insn.reg, insn.rex);
      if (size === 8) e.writeRegister(8, insn.reg, insn.rex, [e.let(swap(high)), e.let(swap(low))]);
      else e.writeRegister(4, insn.reg, insn.rex, [e.let(swap(low)), "0"]);
      return EXIT_FALL_THROUGH;
    }
    case Op.Push: {
      const value = insn.reg >= 0 ? e.readRegister(8, insn.reg, true) : insn.hasImm ? immediate(insn, 8) : readRm(e, insn, 8);
      push(e, value);
      return EXIT_FALL_THROUGH;
    }
    case Op.Pop: {
      const value = pop(e);
      e.writeRegister(8, insn.reg, true, value);
      return EXIT_FALL_THROUGH;
    }
    case Op.Cmov: {
      const value = readRm(e, insn, size);
      const line = `if (${e.condition(insn.sub)}) {`;
      e.emit(line);
      e.writeRegister(size, insn.reg, insn.rex, value);
      if (size === 4) {
        e.emit("} else {");
        e.writeRegister(4, insn.reg, insn.rex, [e.low(insn.reg), "0"]);
      }
      e.emit("}");
      return EXIT_FALL_THROUGH;
    }
    case Op.Setcc:
      writeRm(e, insn, 1, [e.let(`${e.condition(insn.sub)} ? 1 : 0`), "0"]);
      return EXIT_FALL_THROUGH;
    case Op.Jcc:
      e.emit(`x = ${e.condition(insn.sub)} ? 0 : 1;`);
      return EXIT_FALL_THROUGH;
    case Op.Jmp:
      return EXIT_TAKEN;
    case Op.Call:
      push(e, splitConstant(insn.rip + insn.length));
      return EXIT_TAKEN;
    case Op.Ret:
      setComputedTarget(e, pop(e));
      return EXIT_COMPUTED;
    case Op.JmpIndirect:
      setComputedTarget(e, readRm(e, insn, 8));
      return EXIT_COMPUTED;
    case Op.CallIndirect: {
      const target = readRm(e, insn, 8);
      push(e, splitConstant(insn.rip + insn.length));
      setComputedTarget(e, target);
      return EXIT_COMPUTED;
    }
    default:
      emitSse(e, insn);
      return EXIT_FALL_THROUGH;
  }
}

function splitConstant(value: number): Pair {
  return [String(value | 0), String(Math.floor(value / 4294967296) | 0)];
}

function setComputedTarget(e: Emitter, target: Pair): void {
  e.emit(`core.nextRip = (${target[1]} >>> 0) * 4294967296 + (${target[0]} >>> 0);`);
}

function push(e: Emitter, value: Pair): void {
  const rspLow = e.low(4);
  const rspHigh = e.high(4);
  const low = e.let(`(${rspLow} - 8) | 0`);
  const high = e.let(`(${rspHigh} - ((${rspLow} >>> 0) < 8 ? 1 : 0)) | 0`);
  e.store(8, [low, high], value);
  e.writeRegister(8, 4, true, [low, high]);
}

function pop(e: Emitter): Pair {
  const value = e.load(8, [e.low(4), e.high(4)], false);
  e.writeRegister(8, 4, true, e.add(e.low(4), e.high(4), "8", "0"));
  return value;
}

function emitMove(e: Emitter, insn: Insn): void {
  const size = insn.size;
  if (insn.hasImm) {
    writeRm(e, insn, size, immediate(insn, size));
  } else if (insn.toReg) {
    e.writeRegister(size, insn.reg, insn.rex, readRm(e, insn, size));
  } else {
    writeRm(e, insn, size, e.readRegister(size, insn.reg, insn.rex));
  }
}

function emitAlu(e: Emitter, insn: Insn): void {
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

function emitIncDec(e: Emitter, insn: Insn): void {
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

/** Shifts and rotates whose flags nobody reads; the rest run in the interpreter. */
function emitShift(e: Emitter, insn: Insn): void {
  const size = insn.size;
  const kind = insn.sub === ShiftKind.Sal ? ShiftKind.Shl : insn.sub;
  if (insn.flagsNeeded || size < 4 || (size === 8 && insn.imm < 0)) {
    e.interpretInPlace(insn);
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
function emitImul(e: Emitter, insn: Insn): void {
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

/** MOVSD, scalar double arithmetic, and the moves and packed-integer forms of sse-ops.ts. */
function emitSse(e: Emitter, insn: Insn): void {
  e.usesXmm = true;
  const destination = insn.reg * 4;
  switch (insn.op) {
    case Op.MovsdLoad:
      if (insn.rm >= 0) {
        e.scalars.write(insn.reg, e.scalars.read(insn.rm));
      } else {
        e.loadScalar(e.address(insn), insn.reg);
        e.emit(`F[${insn.reg * 2 + 1}] = 0;`);
      }
      return;
    case Op.MovsdStore:
      if (insn.rm >= 0) e.scalars.write(insn.rm, e.scalars.read(insn.reg));
      else e.store(8, e.address(insn), [`X[${destination}]`, `X[${destination + 1}]`]);
      return;
    case Op.Sse:
      emitSseKind(e, insn, insn.sub);
      return;
    case Op.CompareDouble:
      emitCompareDouble(e, insn);
      return;
    default:
      emitScalarDouble(e, insn);
  }
}

/**
 * The lane-0 double source of a scalar instruction: its XMM register's local, or memory
 * copied into slot 16 (where the interpreter's slow path expects it).
 */
function scalarSource(e: Emitter, insn: Insn): { slot: number; value: string } {
  if (insn.rm >= 0) return { slot: insn.rm, value: e.let(e.scalars.read(insn.rm)) };
  e.loadDouble(e.address(insn), SOURCE_SLOT * 2);
  return { slot: SOURCE_SLOT, value: e.let(`F[${SOURCE_SLOT * 2}]`) };
}

/**
 * ADDSD/SUBSD/MULSD/DIVSD/SQRTSD. The host's result is the answer when MXCSR rounds to
 * nearest with PE already set and the result can raise no new flag: a normal magnitude well
 * away from underflow and overflow, or an exact zero (a sum of opposites, a product or
 * quotient of a zero, a root of a zero). Everything else takes the interpreter's exact path.
 */
function emitScalarDouble(e: Emitter, insn: Insn): void {
  const source = scalarSource(e, insn);
  const destination = insn.reg;
  const a = e.let(e.scalars.read(destination));
  const b = source.value;
  const operation: Record<number, readonly [string, string]> = {
    0x51: [`Math.sqrt(${b})`, "true"],
    0x58: [`${a} + ${b}`, "true"],
    0x59: [`${a} * ${b}`, `(${a} === 0 || ${b} === 0)`],
    0x5c: [`${a} - ${b}`, "true"],
    0x5e: [`${a} / ${b}`, `${a} === 0`],
  };
  const [compute, exactZero] = operation[insn.sub] ?? ["NaN", "false"];
  const result = e.let(compute);
  const magnitude = e.let(`Math.abs(${result})`);
  // The slow path reads both operands from the XMM file and writes the destination there.
  const operands = source.slot === SOURCE_SLOT ? `F[${destination * 2}] = ${a};` : `F[${destination * 2}] = ${a}; F[${source.slot * 2}] = ${b};`;
  e.emit(
    `if ((C.mxcsr & 24608) === 32 && ((${magnitude} >= ${SAFE_MAGNITUDE} && ${magnitude} <= ${Number.MAX_VALUE}) || (${result} === 0 && ${exactZero}))) x${destination} = ${result}; else { ${operands} core.scalarDouble(${insn.sub}, ${destination}, ${source.slot}); x${destination} = F[${destination * 2}]; }`,
  );
  e.scalars.assigned(destination);
}

/**
 * UCOMISD/COMISD: ordered operands set the flags here; a NaN operand (unordered, and maybe
 * MXCSR.IE) goes to the interpreter. Conditions on the result compare the doubles directly.
 */
function emitCompareDouble(e: Emitter, insn: Insn): void {
  e.usesXmm = true;
  const source = scalarSource(e, insn);
  const a = e.let(e.scalars.read(insn.reg));
  const b = source.value;
  e.emit(`if (${a} !== ${a} || ${b} !== ${b}) {`);
  e.interpretInPlace(insn, true);
  if (insn.flagsNeeded) {
    e.emit(`} else {`);
    e.emit(`core.flagKind = ${FlagKind.Eager}; core.eagerFlags = ${a} < ${b} ? 1 : ${a} === ${b} ? 64 : 0;`);
  }
  e.emit("}");
  e.recordDoubleCompare(a, b);
}
