/**
 * `osdk run [--kernel DIR] [--image FILE] [--initramfs FILE] [--add HOST[:GUEST]]...
 * [--cmdline TEXT] [-- PROGRAM [ARGS...]]`: boots a kernel image on the board with the host
 * terminal as its console, runs PROGRAM as init (the kernel's default: a shell), passes
 * standard input and output through, and exits with the code the kernel powered off with,
 * which for Asterism's kernel is init's exit status. So scripts and CI can run any static
 * binary on Asterism: when standard input is not a terminal, the guest's console is a plain
 * byte stream (`console=pipe`). Without --image it builds the kernel package first; without
 * --initramfs it boots the package's default initramfs plus the --add files.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { BoardError } from "@asterism/board-x86";
import type { Command } from "../cli.ts";
import { bootImage } from "../image/boot-image.ts";
import { defaultInitramfs, parseAddedFile } from "../image/initramfs.ts";
import { ImageError, readKernelPackage } from "../image/kernel-package.ts";
import { findWorkspaceRoot } from "../tcb/workspace.ts";
import { buildKernelImage } from "./build.ts";

/**
 * The kernel to run when none is named: the package in the current folder if it is a kernel,
 * else the workspace's `packages/kernel` (so `pnpm osdk run` works from Asterism's root).
 */
function defaultKernelDir(): string {
  if (readKernelPackage(".").mainModule !== undefined) return ".";
  const workspaceKernel = join(findWorkspaceRoot(process.cwd()), "packages/kernel");
  if (existsSync(join(workspaceKernel, "package.json"))) return workspaceKernel;
  throw new ImageError("no kernel package here: run in a kernel package's folder or pass --kernel DIR");
}

/**
 * With a terminal on standard input the guest gets a terminal too (echo, line editing, ^C);
 * with a pipe or a file it gets `console=pipe`, a plain byte stream that ends when the input
 * does, so that output is exactly what the program writes, as when run natively.
 */
function consoleOption(base: string): string {
  return process.stdin.isTTY ? base : [base, "console=pipe"].filter((word) => word !== "").join(" ");
}

/** The kernel command line that makes PROGRAM init with ARGS (Linux's `init=` and `--`). */
function initCommandLine(base: string, program: readonly string[]): string {
  const [path, ...args] = program;
  if (path === undefined) return base;
  const spaced = program.find((word) => /\s/.test(word) || word === "");
  if (spaced !== undefined) throw new ImageError(`program arguments travel on the kernel command line and cannot be empty or contain white space: '${spaced}'`);
  return [base, `init=${path}`, "--", ...args].filter((word) => word !== "").join(" ");
}

export const command: Command = {
  summary: "boot an image on the board and run a program",
  async run(args) {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: {
        kernel: { type: "string" },
        image: { type: "string" },
        cmdline: { type: "string", default: "" },
        initramfs: { type: "string" },
        add: { type: "string", multiple: true, default: [] },
      },
      allowPositionals: true,
      strict: true,
    });
    const program = args.includes("--") ? positionals : [];
    if (program.length !== positionals.length) {
      console.error(`osdk run: unexpected argument '${positionals[0] ?? ""}' (put the program after --)`);
      return 2;
    }
    try {
      if (values.initramfs !== undefined && values.add.length > 0) throw new ImageError("--add extends the default initramfs; it cannot be combined with --initramfs");
      const added = values.add.map(parseAddedFile);
      const kernelDir = values.kernel ?? defaultKernelDir();
      const commandLine = initCommandLine(consoleOption(values.cmdline), program);
      const pkg = readKernelPackage(kernelDir);
      const wantsDefault = pkg.initramfsModule !== undefined || added.length > 0;
      const initramfs = values.initramfs ?? (wantsDefault ? await defaultInitramfs(pkg, added) : undefined);
      const image = values.image ?? (await buildKernelImage(kernelDir));
      return await bootImage(image, { commandLine, ...(initramfs === undefined ? {} : { initramfs }) });
    } catch (error) {
      if (!(error instanceof ImageError || error instanceof BoardError)) throw error;
      console.error(`osdk run: ${error.message}`);
      return 1;
    }
  },
};
