/**
 * Unmodified static binaries on the real x86-64 core: a musl-built init (fixtures/runner.c)
 * forks and execs Debian's static busybox applets and hello programs built with gcc (static
 * and static-pie) and musl-gcc, whose output must match their native output, and reports
 * how each ended. Skipped where the host lacks busybox-static, gcc or musl-gcc.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../src/main.ts";
import { runOnBoard } from "./support/board.ts";
import { buildCpio } from "../initramfs/cpio-writer.ts";

const available = existsSync("/bin/busybox") && existsSync("/usr/bin/musl-gcc") && existsSync("/usr/bin/gcc");
const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Compiles a fixture; returns the binary and its output when run natively. */
function compile(source: string, compiler = "musl-gcc", link = "-static"): { binary: Uint8Array; native: () => string } {
  const out = join(mkdtempSync(join(tmpdir(), "asterism-")), "a.out");
  execFileSync(compiler, [link, "-O1", "-o", out, join(import.meta.dirname, "fixtures", source)]);
  return { binary: new Uint8Array(readFileSync(out)), native: () => execFileSync(out, { encoding: "utf8" }) };
}

describe.skipIf(!available)("static binaries on Asterism (real CPU)", () => {
  it("runs busybox applets and gcc/musl hello programs from a musl init as natively, reports ENOEXEC and SIGSEGV, keeps running", async () => {
    const commands = [
      "/bin/busybox,echo,hello,world",
      "/bin/busybox,uname,-s,-m",
      "/bin/busybox,cat,/etc/hello.txt",
      "/bin/busybox,ls,/etc",
      "/bin/busybox,cat,/proc/version",
      "/bin/busybox,readlink,/proc/self/exe",
      "/bin/busybox,false",
      "/etc/hello.txt",
      "/bin/crash",
      "/bin/busybox,mount,-t,tmpfs,scratch,/etc",
      "/bin/busybox,grep,scratch,/proc/mounts",
      "/bin/hello-glibc",
      "/bin/hello-pie",
      "/bin/hello-musl",
      "/bin/busybox,echo,still,alive",
    ];
    const hellos = { glibc: compile("hello.c", "gcc", "-static"), pie: compile("hello.c", "gcc", "-static-pie"), musl: compile("hello.c") };
    const initramfs = buildCpio([
      { path: "bin", mode: 0o40755 },
      { path: "bin/busybox", mode: 0o100755, data: new Uint8Array(readFileSync("/bin/busybox")) },
      { path: "bin/crash", mode: 0o100755, data: compile("crash.c").binary },
      { path: "bin/hello-glibc", mode: 0o100755, data: hellos.glibc.binary },
      { path: "bin/hello-pie", mode: 0o100755, data: hellos.pie.binary },
      { path: "bin/hello-musl", mode: 0o100755, data: hellos.musl.binary },
      { path: "init", mode: 0o100755, data: compile("runner.c").binary },
      { path: "etc", mode: 0o40755 },
      { path: "etc/hello.txt", mode: 0o100755, data: encode("line one\nline two\n") },
    ]);
    const run = await runOnBoard(main, undefined, { initramfs, commandLine: `init=/init -- ${commands.join(" ")}`, realCpu: true, memorySize: 128 * 1024 * 1024 });
    const lines = run.console.split(/\r?\n/).filter((line) => !line.startsWith("[warn]"));
    expect(lines).toEqual([
      "hello world", "[exit 0]",
      "Linux x86_64", "[exit 0]",
      "line one", "line two", "[exit 0]",
      "hello.txt", "[exit 0]",
      "Linux version 6.1.0-asterism (asterism) #1 SMP Asterism framekernel", "[exit 0]",
      "/bin/busybox", "[exit 0]",
      "[exit 1]",
      "execv: Exec format error", "[exit 127]",
      "[signal 11]",
      "[exit 0]",
      "scratch /etc tmpfs rw 0 0", "[exit 0]",
      ...[hellos.glibc, hellos.pie, hellos.musl].flatMap((hello) => [hello.native().trimEnd(), "[exit 0]"]),
      "still alive", "[exit 0]",
      "",
    ]);
    expect(run.exitCode).toBe(0);
  }, 60_000);
});
