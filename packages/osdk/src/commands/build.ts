/**
 * `osdk build [--kernel <package dir>] [--out <file>]`: bundles a kernel image. The kernel
 * package declares its main module in package.json (`"asterism": {"main": "./src/main.ts"}`);
 * osdk generates the entry that boots it through @asterism/ostd-x86 (see image/entry.ts).
 */
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import type { Command } from "../cli.ts";
import { archBootModule, bundleImage } from "../image/bundle.ts";
import { kernelEntrySource } from "../image/entry.ts";
import { ImageError, readKernelPackage } from "../image/kernel-package.ts";

export const DEFAULT_IMAGE = "dist/image/kernel.mjs";

/** Builds the image of the kernel package in `kernelDir`; returns the image path. */
export async function buildKernelImage(kernelDir: string, outFile?: string): Promise<string> {
  const pkg = readKernelPackage(kernelDir);
  if (pkg.mainModule === undefined) {
    throw new ImageError(`${pkg.name} declares no kernel main: add "asterism": {"main": "./src/main.ts"} to its package.json`);
  }
  const out = outFile ?? join(pkg.dir, DEFAULT_IMAGE);
  await bundleImage(kernelEntrySource(archBootModule(), pkg.mainModule), pkg, out);
  return out;
}

export const command: Command = {
  summary: "bundle a kernel image",
  async run(args) {
    const { values } = parseArgs({
      args: [...args],
      options: { kernel: { type: "string", default: "." }, out: { type: "string" } },
      strict: true,
    });
    try {
      const image = await buildKernelImage(values.kernel, values.out);
      const shown = relative(process.cwd(), image);
      console.log(`osdk build: ${shown.startsWith("..") ? image : shown}`);
      return 0;
    } catch (error) {
      if (!(error instanceof ImageError)) throw error;
      console.error(`osdk build: ${error.message}`);
      return 1;
    }
  },
};
