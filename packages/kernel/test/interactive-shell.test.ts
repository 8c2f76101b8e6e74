/**
 * Busybox's interactive shell on the console tty, typed at like a user: commands run, ^C
 * stops a running foreground command (SIGINT to its process group) and the shell carries
 * on, `exit 3` powers off with status 3. Host clock, so `sleep` really waits for the ^C.
 */
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildDefaultInitramfs } from "../initramfs/default-initramfs.ts";
import { main } from "../src/main.ts";
import { runOnBoard } from "./support/board.ts";

const typed = (delayMs: number, text: string) => ({ delayMs, bytes: new TextEncoder().encode(text) });

describe.skipIf(!existsSync("/bin/busybox"))("the interactive busybox shell", () => {
  it("runs typed commands, ^C interrupts sleep, exit powers off with its status", async () => {
    const run = await runOnBoard(main, undefined, {
      initramfs: buildDefaultInitramfs({ busybox: "/bin/busybox" }),
      realCpu: true,
      clock: "host",
      memorySize: 256 * 1024 * 1024,
      typed: [
        typed(600, "echo hi from $((40 + 2))\r"),
        typed(900, "sleep 30; echo not interrupted\r"),
        typed(1800, "\x03"),
        typed(2200, "echo after ^C\r"),
        typed(2500, "exit 3\r"),
      ],
    });
    const screen = run.console.replace(/\r\n/g, "\n");
    expect(screen).toContain("\nhi from 42\n");
    expect(screen).toContain("^C");
    expect(screen).not.toMatch(/^not interrupted$/m);
    expect(screen).toContain("\nafter ^C\n");
    expect(run.exitCode).toBe(3);
  }, 60_000);
});
