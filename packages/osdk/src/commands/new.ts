/** `osdk new`: create a kernel project from the published packages. Being built; see the open issues. */
import type { Command } from "../cli.ts";

export const command: Command = {
  summary: "create a kernel project from the published packages",
  run() {
    console.error("osdk new: not available yet");
    return Promise.resolve(1);
  },
};
