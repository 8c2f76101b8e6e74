/** `osdk build`: bundle a kernel image. Being built; see the open issues. */
import type { Command } from "../cli.ts";

export const command: Command = {
  summary: "bundle a kernel image",
  run() {
    console.error("osdk build: not available yet");
    return Promise.resolve(1);
  },
};
