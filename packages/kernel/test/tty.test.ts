import { describe, expect, it } from "vitest";
import { main } from "../src/main.ts";
import { Signal } from "../src/signal/signals.ts";
import { Sys } from "../src/syscall/numbers.ts";
import { TtyIoctl } from "../src/tty/termios.ts";
import { runOnBoard } from "./support/board.ts";
import { buildCpio } from "../initramfs/cpio-writer.ts";
import { executable } from "./support/scripted-kernel.ts";
import { program, result, scriptedUser, syscall, type Step } from "./support/user-script.ts";

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
const BUFFER = 0x7fff_fffe_0000;

describe("the console tty on the board", () => {
  it("answers termios and window-size ioctls, and ^C kills the foreground child but not init", async () => {
    const seen: string[] = [];
    const steps: Step[] = [
      (u) => syscall(u, Sys.ioctl, 0, TtyIoctl.TCGETS, BUFFER),
      (u) => {
        const lflag = (u.load(BUFFER + 12) ?? 0) | ((u.load(BUFFER + 13) ?? 0) << 8);
        seen.push(`tcgets ${String(result(u.context))} icanon ${String((lflag & 2) !== 0)} vintr ${String(u.load(BUFFER + 17))}`);
        return syscall(u, Sys.ioctl, 0, TtyIoctl.TIOCGWINSZ, BUFFER + 64);
      },
      (u) => {
        seen.push(`winsize ${String(u.load(BUFFER + 64))}x${String(u.load(BUFFER + 66))}`);
        return syscall(u, Sys.ioctl, 0, 0x1234, 0);
      },
      (u) => {
        seen.push(`bad ioctl ${String(result(u.context))}`);
        return syscall(u, Sys.fork);
      },
      (u) => (result(u.context) === 0 ? syscall(u, Sys.read, 0, BUFFER + 128, 16) : syscall(u, Sys.wait4, -1, BUFFER + 256, 0, 0)),
      (u) => syscall(u, Sys.exit_group, (u.load(BUFFER + 256) ?? 0) & 0x7f),
    ];
    const run = await runOnBoard(main, scriptedUser(program(0x401000, ...steps)), {
      initramfs: buildCpio([{ path: "bin", mode: 0o40755 }, { path: "bin/sh", mode: 0o100755, data: executable(0x401000) }]),
      typed: { bytes: encode("sleep\x03"), delayMs: 50 },
    });
    expect(seen).toEqual(["tcgets 0 icanon true vintr 3", "winsize 24x80", "bad ioctl -25"]);
    expect(run.console).toContain("sleep^C");
    expect(run.exitCode).toBe(Signal.SIGINT);
  }, 20_000);
});
