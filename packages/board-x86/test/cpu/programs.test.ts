/**
 * Program-level proof: the project's C programs, built static with gcc (glibc) and musl-gcc,
 * produce byte-identical output and exit codes natively and on X86Core under the test shim.
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compile, hasCompiler, PROGRAMS_DIR, runNative, type Compiler } from "./support/build-programs.ts";
import { GuestProcess } from "./support/linux-shim.ts";

const PROGRAMS = ["integer-math", "strings", "floats", "sse2"] as const;
const COMPILERS: readonly Compiler[] = (["gcc", "musl-gcc"] as const).filter(hasCompiler);

/** Translation thresholds: the interpreter alone, and every block translated on its first run. */
const THRESHOLDS = [Infinity, 1] as const;

describe.each(COMPILERS)("C programs built with %s", (compiler) => {
  it.each(PROGRAMS.flatMap((name) => THRESHOLDS.map((threshold) => [name, threshold] as const)))("%s matches the host byte for byte (compile threshold %s)", { timeout: 60_000 }, (name, compileThreshold) => {
    const binary = compile(join(PROGRAMS_DIR, `${name}.c`), compiler);
    const native = runNative(binary, []);
    const guest = new GuestProcess(readFileSync(binary), { argv: [binary], compileThreshold }).run();
    expect(guest.stdout).toBe(native.stdout);
    expect(guest.exitCode).toBe(native.exitCode);
  });
});
