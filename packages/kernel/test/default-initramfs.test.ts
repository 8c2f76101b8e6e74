import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseCpio } from "@asterism/svc-fs";
import { buildDefaultInitramfs } from "../initramfs/default-initramfs.ts";
import { main } from "../src/main.ts";
import { runOnBoard } from "./support/board.ts";

describe.skipIf(!existsSync("/bin/busybox"))("the default initramfs", () => {
  it("holds busybox, an applet link per applet and /etc, and boots an applet by its link", async () => {
    const archive = buildDefaultInitramfs({ busybox: "/bin/busybox" });
    const entries = parseCpio(archive);
    const paths = new Set(entries.map((entry) => entry.name));
    for (const path of ["bin/busybox", "bin/sh", "bin/ls", "usr/bin/awk", "etc/passwd", "tmp", "proc", "dev"]) expect(paths.has(path)).toBe(true);
    expect(paths.has("sbin/init")).toBe(false);
    const run = await runOnBoard(main, undefined, { initramfs: archive, commandLine: "init=/bin/uname -- -s -m", realCpu: true, memorySize: 128 * 1024 * 1024 });
    expect(run.console.split(/\r?\n/).filter((line) => !line.startsWith("[warn]"))).toEqual(["Linux x86_64", ""]);
    expect(run.exitCode).toBe(0);
  }, 60_000);
});
