/**
 * The double-precision SSE2 instructions the translator emits itself (MOVSD, ADDSD/SUBSD/
 * MULSD/DIVSD/SQRTSD and their packed forms, UCOMISD/COMISD); scalar ones work on the low
 * doubles the scalar cache keeps in locals. Moves and packed-integer forms are in
 * sse-ops.ts. Results the host cannot give exactly under MXCSR go to the interpreter.
 */

import { FlagKind } from "../lazy-flags.ts";
import type { Emitter } from "./emitter.ts";
import { Op, type Insn } from "./decode.ts";
import { emitSseKind } from "./sse-ops.ts";

/** The slot SSE instructions copy a memory source into (context.ts XMM_SOURCE_SLOT). */
const SOURCE_SLOT = 16;
/** Results at least this large (and finite) need no MXCSR flag work once PE is set (sse-rounding.ts). */
const SAFE_MAGNITUDE = 2 ** -125;

/** MOVSD, scalar double arithmetic, and the moves and packed-integer forms of sse-ops.ts. */
export function emitSse(e: Emitter, insn: Insn): void {
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
    case Op.PackedDouble:
      emitPackedDouble(e, insn);
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
  const { result, exact } = hostResult(e, insn.sub, a, b);
  // The slow path reads both operands from the XMM file and writes the destination there.
  const operands = source.slot === SOURCE_SLOT ? `F[${destination * 2}] = ${a};` : `F[${destination * 2}] = ${a}; F[${source.slot * 2}] = ${b};`;
  e.emit(
    `if (${FAST_MXCSR} && ${exact}) x${destination} = ${result}; else { ${operands} core.scalarDouble(${insn.sub}, ${destination}, ${source.slot}); x${destination} = F[${destination * 2}]; }`,
  );
  e.scalars.assigned(destination);
}

/** MXCSR rounds to nearest and PE is already set: the state the host's results are exact for. */
const FAST_MXCSR = "(C.mxcsr & 24608) === 32";

/**
 * The host's result of ADD/SUB/MUL/DIV/SQRT (opcode 58/5C/59/5E/51) on doubles `a` and `b`,
 * and when it needs no MXCSR work (under FAST_MXCSR): a normal magnitude well away from
 * underflow and overflow, or an exact zero (a sum of opposites, a product or quotient of a
 * zero, a root of a zero).
 */
function hostResult(e: Emitter, opcode: number, a: string, b: string): { result: string; exact: string } {
  const operation: Record<number, readonly [string, string]> = {
    0x51: [`Math.sqrt(${b})`, "true"],
    0x58: [`${a} + ${b}`, "true"],
    0x59: [`${a} * ${b}`, `(${a} === 0 || ${b} === 0)`],
    0x5c: [`${a} - ${b}`, "true"],
    0x5e: [`${a} / ${b}`, `${a} === 0`],
  };
  const [compute, exactZero] = operation[opcode] ?? ["NaN", "false"];
  const result = e.let(compute);
  const magnitude = e.let(`Math.abs(${result})`);
  return {
    result,
    exact: `((${magnitude} >= ${SAFE_MAGNITUDE} && ${magnitude} <= ${Number.MAX_VALUE}) || (${result} === 0 && ${exactZero}))`,
  };
}

/**
 * ADDPD/SUBPD/MULPD/DIVPD/SQRTPD: both lanes on the host when both results are exact as for
 * the scalar forms; otherwise the interpreter executes the instruction in place.
 */
function emitPackedDouble(e: Emitter, insn: Insn): void {
  e.scalars.drop();
  let source = insn.rm;
  if (source < 0) {
    e.load128(e.address(insn), SOURCE_SLOT, true);
    source = SOURCE_SLOT;
  }
  const lanes = [0, 1].map((lane) => {
    const a = e.let(`F[${insn.reg * 2 + lane}]`);
    const b = e.let(`F[${source * 2 + lane}]`);
    return hostResult(e, insn.sub, a, b);
  });
  const [low, high] = lanes as [{ result: string; exact: string }, { result: string; exact: string }];
  e.emit(`if (${FAST_MXCSR} && ${low.exact} && ${high.exact}) { F[${insn.reg * 2}] = ${low.result}; F[${insn.reg * 2 + 1}] = ${high.result}; } else {`);
  e.interpretInPlace(insn, true);
  e.emit("}");
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
