import { describe, expect, it } from "vitest";
import { buildCpio } from "../initramfs/cpio-writer.ts";
import { main } from "../src/main.ts";
import { runOnBoard } from "./support/board.ts";

describe("main without a runnable init", () => {
  it("reports the missing program and powers off with 127, no panic", async () => {
    const run = await runOnBoard(main, undefined, { initramfs: buildCpio([{ path: "bin", mode: 0o40755 }]), commandLine: "init=/bin/nothing" });
    expect(run.console).toContain("cannot run init /bin/nothing: ENOENT");
    expect(run.console).not.toContain("panic");
    expect(run.exitCode).toBe(127);
  }, 20_000);
});
