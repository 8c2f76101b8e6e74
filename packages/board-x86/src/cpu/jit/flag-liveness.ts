/**
 * Flag liveness over one straight-line block: most flag results are overwritten before
 * anything reads them, so the code generator only records the flags of an instruction when
 * a later instruction of the block reads them, when they can leave the block, or when an
 * instruction that can fault comes before the next writer: a fault exposes RFLAGS (to the
 * kernel and to a signal handler's context) as of the faulting instruction, so the flags of
 * the last writer before it must be the architectural ones.
 */

import { Op, type Insn } from "./decode.ts";

/** Instructions that may raise an exception: memory operands, the stack, the interpreter's. */
function canFault(insn: Insn): boolean {
  if (insn.op === Op.Lea || insn.op === Op.Nop) return false;
  return (
    insn.rm < 0 ||
    insn.op === Op.Push ||
    insn.op === Op.Pop ||
    insn.op === Op.Call ||
    insn.op === Op.Ret ||
    insn.op === Op.Interpret ||
    insn.op === Op.Tail
  );
}

/** Sets `flagsNeeded` on every instruction; flags are live when the block ends. */
export function markFlagLiveness(insns: readonly Insn[]): void {
  let live = true;
  for (let i = insns.length - 1; i >= 0; i--) {
    const insn = insns[i];
    if (insn === undefined) continue;
    if (insn.writesFlags !== 0) {
      insn.flagsNeeded = live;
      // A partial writer passes the old flags through: they are live exactly when its own are.
      if (insn.writesFlags === 1) live = false;
    }
    // A fault leaves RFLAGS as they were before the instruction, as a reader would see them.
    if (insn.readsFlags || canFault(insn)) live = true;
  }
}
