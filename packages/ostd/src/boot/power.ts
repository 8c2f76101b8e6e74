/** Power-off with an exit code: the end of every kernel run (a shell's `exit`, a test image's verdict). */
import { arch } from "./machine-state.ts";
import { stopExecutor } from "../task/task.ts";

let exitCode: number | undefined;

/**
 * Stops running tasks and powers the board off; `Board.run` resolves with `code`. The
 * calling task is never resumed after it next parks.
 */
export function powerOff(code: number): void {
  if (exitCode !== undefined) return;
  exitCode = code;
  stopExecutor();
  // SAFETY: every task is stopped; nothing is left that would need flushing by OSTD.
  arch().powerOff(code);
}

/** The code passed to `powerOff`, once it was called. */
export function poweredOffWith(): number | undefined {
  return exitCode;
}
