/**
 * bash-static runs fixtures/bash-script.sh (functions, indexed and associative arrays,
 * parameter expansion, [[ ]] and regexes, process substitution, mapfile, background jobs
 * and wait, traps, pipefail) natively and on Asterism with the same binary; the outputs must
 * match. The binary is Debian's bash-static (`/bin/bash-static`, or $BASH_STATIC); skipped
 * when absent.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildDefaultInitramfs } from "../initramfs/default-initramfs.ts";
import { main } from "../src/main.ts";
import { runOnBoard } from "./support/board.ts";

const BASH = process.env.BASH_STATIC ?? "/bin/bash-static";
const SCRIPT = join(import.meta.dirname, "fixtures", "bash-script.sh");

describe.skipIf(!existsSync(BASH) || !existsSync("/bin/busybox"))("a bash script natively and on Asterism", () => {
  it("prints exactly the same", async () => {
    const native = execFileSync(BASH, [SCRIPT], { encoding: "utf8", cwd: mkdtempSync(join(tmpdir(), "asterism-bash-")) });
    const initramfs = buildDefaultInitramfs({ busybox: "/bin/busybox", bash: BASH, extra: [{ host: SCRIPT, guest: "/script.sh" }] });
    const run = await runOnBoard(main, undefined, { initramfs, commandLine: "init=/bin/bash -- /script.sh", realCpu: true, memorySize: 256 * 1024 * 1024 });
    const guest = run.console.replace(/\r\n/g, "\n").split("\n").filter((line) => !line.startsWith("[warn]")).join("\n");
    expect(native).toContain("exit trap");
    expect(guest).toBe(native);
    expect(run.exitCode).toBe(0);
  }, 120_000);
});
