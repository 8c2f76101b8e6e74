/**
 * Flag liveness over one straight-line block: most flag results are overwritten before
 * anything reads them, so the code generator only records the flags of an instruction when
 * a later instruction of the block reads them, or when they can leave the block.
 *
 * A fault in the middle of a block needs no extra liveness: the instruction that faulted is
 * re-executed from the state before it, and whatever it and its successors read was already
 * counted here. What is given up is that a signal handler may see older values in its
 * context's RFLAGS than the hardware would show for flags nobody reads.
 */

import type { Insn } from "./decode.ts";

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
    if (insn.readsFlags) live = true;
  }
}
