/**
 * `osdk test [<package dir>] [--filter <text>] [--host-clock]`: builds a test image from the
 * package's in-kernel tests (`ktest/**\/*.ktest.ts`, each registering tests with ostd's
 * `ktest`), boots it on the board, and exits with the image's verdict: 0 when every test
 * passed. The image prints one `ktest:` line per test on the serial console as it goes.
 * The board's clock is deterministic (time follows the instruction count, so a run gives
 * the same output every time) unless `--host-clock` asks for host time.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { BoardError } from "@asterism/board-x86";
import type { Command } from "../cli.ts";
import { bootImage, type BootOptions } from "../image/boot-image.ts";
import { archBootModule, bundleImage, ostdFor } from "../image/bundle.ts";
import { testEntrySource } from "../image/entry.ts";
import { findKtestFiles, ImageError, readKernelPackage } from "../image/kernel-package.ts";

/** Builds and boots the test image of `packageDir`; resolves with the board's exit code. */
export async function runKtestImage(
  packageDir: string,
  filter = "",
  options: Pick<BootOptions, "output" | "deterministic"> = {},
): Promise<number> {
  const pkg = readKernelPackage(packageDir);
  const files = findKtestFiles(pkg);
  if (files.length === 0) throw new ImageError(`${pkg.name} has no in-kernel tests (ktest/**/*.ktest.ts)`);
  const workDir = mkdtempSync(join(tmpdir(), "osdk-test-"));
  try {
    const image = join(workDir, "ktest-image.mjs");
    await bundleImage(testEntrySource(archBootModule(), ostdFor(pkg), files), pkg, image, { keepSideEffectImports: true });
    const commandLine = filter === "" ? "" : `ktest.filter=${filter}`;
    return await bootImage(image, { deterministic: true, ...options, commandLine, noInput: true });
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

export const command: Command = {
  summary: "boot a test image and run in-kernel tests",
  async run(args) {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: { filter: { type: "string", default: "" }, "host-clock": { type: "boolean", default: false } },
      allowPositionals: true,
      strict: true,
    });
    try {
      const code = await runKtestImage(positionals[0] ?? ".", values.filter, { deterministic: !values["host-clock"] });
      if (code !== 0) console.error(`osdk test: the test image exited with code ${String(code)}`);
      return code;
    } catch (error) {
      if (!(error instanceof ImageError || error instanceof BoardError)) throw error;
      console.error(`osdk test: ${error.message}`);
      return 1;
    }
  },
};
