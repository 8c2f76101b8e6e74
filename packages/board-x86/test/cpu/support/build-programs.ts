/**
 * Test helper: compiles the C programs under test/cpu/programs (and the instruction harness)
 * with the host's gcc or musl-gcc into os.tmpdir(), cached by a hash of source and flags, and
 * runs them natively for comparison with the emulated core.
 */

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const PROGRAMS_DIR = fileURLToPath(new URL("../programs/", import.meta.url));
const CACHE_DIR = join(tmpdir(), "asterism-cpu-tests");

export type Compiler = "gcc" | "musl-gcc";

export function hasCompiler(compiler: Compiler): boolean {
  return spawnSync(compiler, ["--version"], { stdio: "ignore" }).status === 0;
}

/** Compiles `source` (a path) statically; returns the binary's path. */
export function compile(source: string, compiler: Compiler, flags: readonly string[] = ["-O2"]): string {
  mkdirSync(CACHE_DIR, { recursive: true });
  const text = readFileSync(source);
  const hash = createHash("sha256").update(text).update(compiler).update(flags.join(" ")).digest("hex").slice(0, 16);
  const output = join(CACHE_DIR, `${hash}-${compiler}`);
  if (existsSync(output)) return output;
  const result = spawnSync(compiler, ["-static", ...flags, "-o", output, source, "-lm"], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`${compiler} failed on ${source}:\n${result.stderr}`);
  return output;
}

export interface NativeResult {
  readonly stdout: string;
  readonly exitCode: number;
}

export function runNative(binary: string, argv: readonly string[] = [], stdin?: Uint8Array): NativeResult {
  const result = spawnSync(binary, argv, { input: stdin, encoding: "latin1", env: { HOME: "/", PATH: "/bin", LANG: "C" } });
  return { stdout: result.stdout, exitCode: result.status ?? -1 };
}
