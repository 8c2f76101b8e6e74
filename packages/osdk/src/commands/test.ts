/** `osdk test`: boot a test image and run in-kernel tests. Being built; see the open issues. */
import type { Command } from "../cli.ts";

export const command: Command = {
  summary: "boot a test image and run in-kernel tests",
  run() {
    console.error("osdk test: not available yet");
    return Promise.resolve(1);
  },
};
