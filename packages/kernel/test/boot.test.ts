import { describe, expect, it } from "vitest";
import { exitCodeOf, main, parseCommandLine } from "../src/main.ts";
import { Sys } from "../src/syscall/numbers.ts";
import { runOnBoard } from "./support/board.ts";
import { buildCpio } from "../initramfs/cpio-writer.ts";
import { buildElf, PF_R, PF_X } from "./support/elf-builder.ts";
import { program, result, scriptedUser, store, syscall, type Step } from "./support/user-script.ts";

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

function shell(): Uint8Array {
  return buildElf({
    entry: 0x401000,
    segments: [
      { flags: PF_R, offset: 0, vaddr: 0x400000, fileSize: 0x100, memSize: 0x100 },
      { flags: PF_R | PF_X, offset: 0x1000, vaddr: 0x401000, fileSize: 0x100, memSize: 0x1000 },
    ],
    fileSize: 0x1100,
  });
}

describe("command line", () => {
  it("takes init= and the words after --", () => {
    expect(parseCommandLine("console=ttyS0 init=/bin/busybox -- sh -c 'x'")).toEqual({ path: "/bin/busybox", argv: ["sh", "-c", "'x'"] });
    expect(parseCommandLine("")).toEqual({ path: undefined, argv: [] });
    expect(exitCodeOf(3 << 8)).toBe(3);
    expect(exitCodeOf(11)).toBe(139);
  });
});

describe("main on the board", () => {
  it("unpacks the initramfs, runs init on the console tty, echoes typed input, exits with init's status", async () => {
    const buffer = 0x7fff_ffff_e000 - 4096;
    let typedLength = 0;
    const steps: Step[] = [
      (u) => store(u, buffer, encode("prompt$ ")) ?? syscall(u, Sys.write, 1, buffer, 8),
      (u) => syscall(u, Sys.read, 0, buffer + 100, 100),
      (u) => {
        typedLength = result(u.context);
        return syscall(u, Sys.write, 1, buffer + 100, typedLength);
      },
      (u) => syscall(u, Sys.exit_group, typedLength),
    ];
    const initramfs = buildCpio([
      { path: "bin", mode: 0o40755 },
      { path: "bin/sh", mode: 0o100755, data: shell() },
    ]);
    const run = await runOnBoard(main, scriptedUser(program(0x401000, ...steps)), {
      initramfs,
      commandLine: "init=/bin/sh",
      typed: { bytes: encode("ls -l\r"), delayMs: 50 },
    });
    expect(run.console).toContain("prompt$ ls -l\r\nls -l\r\n");
    expect(run.exitCode).toBe(6);
  }, 20_000);
});
