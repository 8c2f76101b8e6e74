/** `osdk tcb`: measure the trusted computing base. */
import type { Command } from "../cli.ts";

export const command: Command = {
  summary: "measure the trusted computing base and check it against the declared set",
  run() {
    console.error("osdk tcb: not available yet");
    return Promise.resolve(1);
  },
};
