import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** `osdk run` boots the real kernel with Debian's busybox: CI installs busybox-static. */
const root = join(import.meta.dirname, "../../..");
const bin = join(root, "packages/osdk/bin/osdk.js");
const work = mkdtempSync(join(tmpdir(), "osdk-run-test-"));
const hello = join(work, "hello");

function osdkRun(args: readonly string[], input = ""): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [bin, "run", ...args], { cwd: root, input, encoding: "utf8", timeout: 120_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
  writeFileSync(join(work, "hello.c"), '#include <stdio.h>\nint main(int argc, char **argv) { printf("hello %s from %s\\n", argc > 1 ? argv[1] : "nobody", argv[0]); return 5; }\n');
  execFileSync("gcc", ["-static", "-O2", "-o", hello, join(work, "hello.c")]);
});
afterAll(() => { rmSync(work, { recursive: true, force: true }); });

describe("osdk run", { timeout: 180_000 }, () => {
  it("runs a host static binary added to the initramfs as init, with its arguments and exit status", () => {
    const run = osdkRun(["--add", `${hello}:/usr/bin/hello`, "--", "/usr/bin/hello", "world"]);
    expect(run.stdout).toBe("hello world from /usr/bin/hello\n");
    expect(run.status).toBe(5);
  });

  it("gives busybox sh piped input as a non-terminal stream: output and status as natively", () => {
    const script = "echo one; echo two | tr a-z A-Z\n[ -t 0 ] || echo not a terminal\nexit 3\n";
    const native = spawnSync("/bin/busybox", ["sh"], { input: script, encoding: "utf8" });
    const run = osdkRun(["--", "/bin/sh"], script);
    expect(run.stdout).toBe(native.stdout);
    expect(run.stdout).toBe("one\nTWO\nnot a terminal\n");
    expect(run.status).toBe(native.status);
  });

  it("ends the guest's input when the host's does: cat copies stdin and exits 0", () => {
    const text = "line one\nline two, no newline at the end";
    const run = osdkRun(["--", "/bin/cat"], text);
    expect(run.stdout).toBe(text);
    expect(run.status).toBe(0);
  });

  it("reports a missing program with 127, as a shell would", () => {
    expect(osdkRun(["--", "/bin/does-not-exist"]).status).toBe(127);
  });

  it("rejects bad options with a message, not a stack trace", () => {
    const missing = osdkRun(["--add", join(work, "missing"), "--", "/bin/true"]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/--add .*missing is not a file/);
    expect(osdkRun(["--add", `${hello}:relative/path`]).stderr).toMatch(/guest path must be absolute/);
    expect(osdkRun(["stray"]).status).toBe(2);
    expect(osdkRun(["--", "/bin/echo", "two words"]).stderr).toMatch(/cannot be empty or contain white space/);
    expect(osdkRun(["--frobnicate"]).status).toBe(2);
  });
});
