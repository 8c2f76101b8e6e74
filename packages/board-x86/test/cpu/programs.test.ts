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

describe.each(COMPILERS)("C programs built with %s", (compiler) => {
  it.each(PROGRAMS)("%s matches the host byte for byte", { timeout: 60_000 }, (name) => {
    const binary = compile(join(PROGRAMS_DIR, `${name}.c`), compiler);
    const native = runNative(binary, []);
    const guest = new GuestProcess(readFileSync(binary), { argv: [binary] }).run();
    expect(guest.stdout).toBe(native.stdout);
    expect(guest.exitCode).toBe(native.exitCode);
  });
});
