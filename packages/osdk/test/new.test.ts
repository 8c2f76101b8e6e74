import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { main } from "../src/index.ts";

const checkout = join(import.meta.dirname, "../../..");
const work = mkdtempSync(join(tmpdir(), "osdk-new-test-"));
afterAll(() => { rmSync(work, { recursive: true, force: true }); });

function quietly<T>(body: () => Promise<T>): Promise<T> {
  const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
  const error = vi.spyOn(console, "error").mockImplementation(() => undefined);
  return body().finally(() => { log.mockRestore(); error.mockRestore(); });
}

describe("osdk new", () => {
  it("creates a project that installs, builds, boots and passes its in-kernel tests", async () => {
    const project = join(work, "my-os");
    expect(await quietly(() => main(["new", project, "--link", checkout]))).toBe(0);
    const manifest = JSON.parse(readFileSync(join(project, "package.json"), "utf8")) as { asterism: { main: string }; dependencies: Record<string, string> };
    expect(manifest.asterism.main).toBe("./src/main.ts");
    expect(manifest.dependencies["@asterism/ostd"]).toBe(`link:${join(checkout, "packages/ostd")}`);

    execFileSync("pnpm", ["install", "--prefer-offline", "--silent"], { cwd: project, stdio: "pipe" });
    const pnpm = (...args: string[]): string => execFileSync("pnpm", args, { cwd: project, encoding: "utf8", input: "", env: { ...process.env, PATH: "/usr/local/bin:/usr/bin:/bin" } });
    expect(pnpm("exec", "node", "--version")).toMatch(/^v24\./);
    pnpm("build");
    const booted = pnpm("start", "--cmdline", "hi");
    expect(booted).toContain('Hello from my-os on Asterism (command line: "hi console=pipe")');
    expect(booted).toContain("kernel tasks took turns: a0 b0 a1 b1 a2 b2");
    const tested = pnpm("test");
    expect(tested).toMatch(/ktest: 1 passed, 0 failed/);
  }, 180_000);

  it("makes a published-package project by default", async () => {
    const project = join(work, "published");
    expect(await quietly(() => main(["new", project]))).toBe(0);
    const manifest = JSON.parse(readFileSync(join(project, "package.json"), "utf8")) as { dependencies: Record<string, string> };
    expect(manifest.dependencies["@asterism/svc-sched"]).toMatch(/^\^\d+\.\d+\.\d+$/);
  });

  it("refuses a non-empty directory, a bad name, a bad checkout and stray arguments", async () => {
    const busy = join(work, "busy");
    await quietly(() => main(["new", busy]));
    writeFileSync(join(busy, "extra"), "");
    expect(await quietly(() => main(["new", busy]))).toBe(1);
    expect(await quietly(() => main(["new", join(work, "x"), "--name", "Not Valid"]))).toBe(2);
    expect(await quietly(() => main(["new", join(work, "y"), "--link", work]))).toBe(1);
    expect(await quietly(() => main(["new", "a", "b"]))).toBe(2);
    expect(await quietly(() => main(["new"]))).toBe(2);
  });
});
