/**
 * The comparison suite: one busybox shell script (fixtures/busybox-script.sh, over
 * 80 commands: pipes, redirection, subshells, loops, here-documents, traps, files, text
 * tools, archives, processes) runs natively with the same busybox binary and on Asterism
 * (default initramfs, real x86-64 core); the outputs must be identical. Normalized: CR-LF
 * from the terminal and the kernel's own log lines. Skipped without busybox-static.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildDefaultInitramfs, listApplets } from "../initramfs/default-initramfs.ts";
import { main } from "../src/main.ts";
import { runOnBoard } from "./support/board.ts";

const BUSYBOX = "/bin/busybox";
const SCRIPT = join(import.meta.dirname, "fixtures", "busybox-script.sh");

/** Runs the script natively with PATH holding only busybox applets, as in the initramfs. */
function runNatively(): string {
  const root = mkdtempSync(join(tmpdir(), "asterism-native-"));
  const bin = join(root, "bin");
  mkdirSync(bin);
  for (const applet of listApplets(BUSYBOX)) {
    const name = applet.split("/").at(-1) ?? applet;
    if (!existsSync(join(bin, name))) symlinkSync(BUSYBOX, join(bin, name));
  }
  return execFileSync(BUSYBOX, ["sh", "-c", `exec sh ${SCRIPT} 2>&1`], {
    encoding: "utf8",
    env: { PATH: bin, WORK: join(root, "work") },
  });
}

describe.skipIf(!existsSync(BUSYBOX))("a busybox script natively and on Asterism", () => {
  it("prints exactly the same", async () => {
    const native = runNatively();
    const initramfs = buildDefaultInitramfs({ busybox: BUSYBOX, extra: [{ host: SCRIPT, guest: "/script.sh" }] });
    const run = await runOnBoard(main, undefined, { initramfs, commandLine: "init=/bin/sh -- /script.sh", realCpu: true, memorySize: 256 * 1024 * 1024 });
    const guest = run.console.replace(/\r\n/g, "\n").split("\n").filter((line) => !line.startsWith("[warn]")).join("\n");
    expect(native.split("\n").length).toBeGreaterThan(80);
    expect(native).toContain("\ndone\n");
    expect(guest).toBe(native);
    expect(run.exitCode).toBe(0);
  }, 120_000);
});
