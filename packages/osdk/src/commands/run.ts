/** `osdk run`: boot an image on the board and run a program. Being built; see the open issues. */
import type { Command } from "../cli.ts";

export const command: Command = {
  summary: "boot an image on the board and run a program",
  run() {
    console.error("osdk run: not available yet");
    return Promise.resolve(1);
  },
};
