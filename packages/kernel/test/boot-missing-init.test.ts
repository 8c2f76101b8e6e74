import { describe, expect, it } from "vitest";
import { buildCpio } from "../initramfs/cpio-writer.ts";
import { main } from "../src/main.ts";
import { runOnBoard } from "./support/board.ts";

describe("main without a runnable init", () => {
  it("survives a corrupt initramfs, reports the missing program and powers off with 127, no panic", async () => {
    const archive = buildCpio([{ path: "bin", mode: 0o40755 }, { path: "bin/x", mode: 0o100644, data: new Uint8Array(64) }]);
    archive[0] = 0x41; // corrupt the first header's magic: the kernel logs it and boots an empty root
    const run = await runOnBoard(main, undefined, { initramfs: archive, commandLine: "init=/bin/nothing" });
    expect(run.console).toContain("initramfs:");
    expect(run.console).toContain("cannot run init /bin/nothing: ENOENT");
    expect(run.console).not.toContain("panic");
    expect(run.exitCode).toBe(127);
  }, 20_000);
});
