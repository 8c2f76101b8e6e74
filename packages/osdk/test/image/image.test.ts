import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildKernelImage } from "../../src/commands/build.ts";
import { runKtestImage } from "../../src/commands/test.ts";
import { bootImage } from "../../src/image/boot-image.ts";
import { ImageError } from "../../src/image/kernel-package.ts";

/** Booting a board runs tens of millions of guest instructions; allow for a loaded CI machine. */
const BOARD_TIMEOUT_MS = 60_000;
const fixtures = join(import.meta.dirname, "fixtures");
const packages = join(import.meta.dirname, "../../..");
const work = mkdtempSync(join(tmpdir(), "osdk-image-test-"));
afterAll(() => { rmSync(work, { recursive: true, force: true }); });

function capture(): { output: { write(data: Uint8Array): boolean }; text(): string } {
  const chunks: Uint8Array[] = [];
  return { output: { write: (data) => chunks.push(data.slice()) > 0 }, text: () => Buffer.concat(chunks).toString("utf8") };
}

describe("osdk build", { timeout: BOARD_TIMEOUT_MS }, () => {
  it("bundles a kernel package's main with the generated x86 entry into a bootable image", async () => {
    const image = await buildKernelImage(join(fixtures, "hello-kernel"), join(work, "hello.mjs"));
    expect(statSync(image).size).toBeGreaterThan(10_000);
    const console = capture();
    expect(await bootImage(image, { commandLine: "quiet", noInput: true, output: console.output })).toBe(3);
    expect(console.text()).toContain("hello kernel, cmdline: quiet\n");
  });

  it("explains what is wrong with a package that is not a kernel", async () => {
    await expect(buildKernelImage(join(fixtures, "not-a-kernel"))).rejects.toThrow(/asterism.main ".\/src\/missing.ts" does not exist/);
    await expect(buildKernelImage(join(fixtures, "failing-ktests"))).rejects.toThrow(/declares no kernel main/);
    await expect(buildKernelImage(join(work, "nowhere"))).rejects.toThrow(ImageError);
  });
});

describe("osdk test", { timeout: BOARD_TIMEOUT_MS }, () => {
  it("runs ostd's in-kernel tests on the board and passes", async () => {
    const console = capture();
    expect(await runKtestImage(join(packages, "ostd"), "", { output: console.output })).toBe(0);
    expect(console.text()).toMatch(/ktest: \d+ passed, 0 failed/);
  });

  it("runs svc-sched's service kernel that switches between two user tasks", async () => {
    const console = capture();
    expect(await runKtestImage(join(packages, "svc-sched"), "", { output: console.output })).toBe(0);
    expect(console.text()).toContain("ktest: ok round-robin switches between two user tasks");
  });

  it("reports each failure and exits non-zero, and honours a filter", async () => {
    const console = capture();
    expect(await runKtestImage(join(fixtures, "failing-ktests"), "", { output: console.output })).toBe(1);
    expect(console.text()).toContain("ktest: ok arithmetic holds\n");
    expect(console.text()).toContain("ktest: FAIL a broken expectation: sum: expected 5, got 4\n");
    expect(console.text()).toContain("ktest: 1 passed, 1 failed\n");
    const filtered = capture();
    expect(await runKtestImage(join(fixtures, "failing-ktests"), "arithmetic", { output: filtered.output })).toBe(0);
    expect(filtered.text()).toContain("ktest: 1 passed, 0 failed\n");
  });

  it("fails a test that hangs, after its board-time timeout, and goes on", async () => {
    const console = capture();
    expect(await runKtestImage(join(fixtures, "hanging-ktests"), "", { output: console.output })).toBe(1);
    expect(console.text()).toContain("ktest: FAIL waits forever: timed out after 60 s\n");
    expect(console.text()).toContain("ktest: ok still runs after a hung test\n");
  });

  it("refuses a package without in-kernel tests", async () => {
    await expect(runKtestImage(join(fixtures, "hello-kernel"))).rejects.toThrow(/has no in-kernel tests/);
  });
});
