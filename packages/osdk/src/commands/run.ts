/**
 * `osdk run [--kernel <package dir>] [--image <file>] [--cmdline <text>] [--initramfs <file>]`:
 * boots a kernel image on the board with the host terminal as its console, and exits with
 * the code the kernel powered off with. Without `--image` it builds the kernel package first.
 */
import { parseArgs } from "node:util";
import { BoardError } from "@asterism/board-x86";
import type { Command } from "../cli.ts";
import { bootImage } from "../image/boot-image.ts";
import { ImageError } from "../image/kernel-package.ts";
import { buildKernelImage } from "./build.ts";

export const command: Command = {
  summary: "boot an image on the board and run a program",
  async run(args) {
    const { values } = parseArgs({
      args: [...args],
      options: {
        kernel: { type: "string", default: "." },
        image: { type: "string" },
        cmdline: { type: "string", default: "" },
        initramfs: { type: "string" },
      },
      strict: true,
    });
    try {
      const image = values.image ?? (await buildKernelImage(values.kernel));
      return await bootImage(image, {
        commandLine: values.cmdline,
        ...(values.initramfs === undefined ? {} : { initramfs: values.initramfs }),
      });
    } catch (error) {
      if (!(error instanceof ImageError || error instanceof BoardError)) throw error;
      console.error(`osdk run: ${error.message}`);
      return 1;
    }
  },
};
