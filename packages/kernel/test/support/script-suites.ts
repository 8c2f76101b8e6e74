/**
 * The comparison suites of issue #6 as functions: one shell script (fixtures/*.sh) runs
 * natively and on Asterism with the same Debian binary, and the outputs must be identical.
 * Each test file calls one suite once, because OSTD boots once per process (per test file):
 * the suites run with the CPU's default translation threshold and, in the `-translated`
 * files, with every block translated on its first run, so the block translator is checked
 * end to end on real programs nobody here wrote.
 *
 * Normalized: CR-LF from the terminal and the kernel's own log lines. Skipped without the
 * binaries (busybox-static; bash-static at /bin/bash-static or $BASH_STATIC).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildDefaultInitramfs, listApplets } from "../../initramfs/default-initramfs.ts";
import { main } from "../../src/main.ts";
import { runOnBoard } from "./board.ts";

const BUSYBOX = "/bin/busybox";
const BASH = process.env.BASH_STATIC ?? "/bin/bash-static";
const FIXTURES = join(import.meta.dirname, "..", "fixtures");
const TIMEOUT_MS = 120_000;

/** What the script printed on Asterism, normalized, and how the board ended. */
async function runOnAsterism(initramfs: Uint8Array, commandLine: string, compileThreshold: number | undefined): Promise<{ output: string; exitCode: number }> {
  const run = await runOnBoard(main, undefined, {
    initramfs,
    commandLine,
    realCpu: true,
    memorySize: 256 * 1024 * 1024,
    ...(compileThreshold === undefined ? {} : { compileThreshold }),
  });
  const output = run.console.replace(/\r\n/g, "\n").split("\n").filter((line) => !line.startsWith("[warn]")).join("\n");
  return { output, exitCode: run.exitCode };
}

function modeName(compileThreshold: number | undefined): string {
  return compileThreshold === undefined ? "default translation threshold" : `translation threshold ${String(compileThreshold)}`;
}

/** Runs the busybox script natively with PATH holding only busybox applets, as in the initramfs. */
function runBusyboxNatively(script: string): string {
  const root = mkdtempSync(join(tmpdir(), "asterism-native-"));
  const bin = join(root, "bin");
  mkdirSync(bin);
  for (const applet of listApplets(BUSYBOX)) {
    const name = applet.split("/").at(-1) ?? applet;
    if (!existsSync(join(bin, name))) symlinkSync(BUSYBOX, join(bin, name));
  }
  return execFileSync(BUSYBOX, ["sh", "-c", `exec sh ${script} 2>&1`], {
    encoding: "utf8",
    env: { PATH: bin, WORK: join(root, "work") },
  });
}

/** fixtures/busybox-script.sh: pipes, redirection, subshells, loops, here-documents, traps, files, text tools, archives, processes. */
export function busyboxScriptSuite(compileThreshold?: number): void {
  describe.skipIf(!existsSync(BUSYBOX))(`a busybox script natively and on Asterism (${modeName(compileThreshold)})`, () => {
    it("prints exactly the same", async () => {
      const script = join(FIXTURES, "busybox-script.sh");
      const native = runBusyboxNatively(script);
      const initramfs = buildDefaultInitramfs({ busybox: BUSYBOX, extra: [{ host: script, guest: "/script.sh" }] });
      const guest = await runOnAsterism(initramfs, "init=/bin/sh -- /script.sh", compileThreshold);
      expect(native.split("\n").length).toBeGreaterThan(80);
      expect(native).toContain("\ndone\n");
      expect(guest.output).toBe(native);
      expect(guest.exitCode).toBe(0);
    }, TIMEOUT_MS);
  });
}

/** fixtures/bash-script.sh: functions, arrays, parameter expansion, [[ ]] and regexes, process substitution, mapfile, jobs, traps, pipefail. */
export function bashScriptSuite(compileThreshold?: number): void {
  describe.skipIf(!existsSync(BASH) || !existsSync(BUSYBOX))(`a bash script natively and on Asterism (${modeName(compileThreshold)})`, () => {
    it("prints exactly the same", async () => {
      const script = join(FIXTURES, "bash-script.sh");
      const native = execFileSync(BASH, [script], { encoding: "utf8", cwd: mkdtempSync(join(tmpdir(), "asterism-bash-")) });
      const initramfs = buildDefaultInitramfs({ busybox: BUSYBOX, bash: BASH, extra: [{ host: script, guest: "/script.sh" }] });
      const guest = await runOnAsterism(initramfs, "init=/bin/bash -- /script.sh", compileThreshold);
      expect(native).toContain("exit trap");
      expect(guest.output).toBe(native);
      expect(guest.exitCode).toBe(0);
    }, TIMEOUT_MS);
  });
}
