/**
 * Each kind of boundary violation, planted in a service package (svc-net), must fail lint
 * naming the rule that catches it; the same file with allowed code must pass.
 */
import { describe, expect, it } from "vitest";
import { rulesFailing } from "./lint.ts";

const SERVICE_FILE = "packages/svc-net/src/index.ts";
const KERNEL_FILE = "packages/kernel/src/index.ts";

describe("service rule set (planted in svc-net)", () => {
  it("passes ordinary service code", async () => {
    const code = `/** A checksum, as a service computes it: on bytes it was given. */
import { PAGE_SIZE } from "@asterism/ostd";

export const PACKAGE_NAME = "@asterism/svc-net";

/** The Internet checksum of \`bytes\`. */
export function checksum(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i + 1 < bytes.length; i += 2) sum += ((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0);
  return ~sum & 0xffff & PAGE_SIZE;
}
`;
    expect(await rulesFailing(SERVICE_FILE, code)).toEqual([]);
  });

  const plants: [string, string, string][] = [
    ["a raw buffer", "export const raw = new ArrayBuffer(8);\n", "@asterism/no-raw-memory"],
    ["globalThis.SharedArrayBuffer", "export const shared = globalThis.SharedArrayBuffer;\n", "@asterism/no-raw-memory"],
    ['globalThis["Atomics"]', 'export const atomics = globalThis["Atomics"];\n', "@asterism/no-raw-memory"],
    ["the .buffer of a typed array", "export const backing = new Uint8Array(4).buffer;\n", "@asterism/no-raw-memory"],
    [
      "an import of @asterism/board-x86",
      'import type { Machine } from "@asterism/board-x86";\nexport type Board = Machine;\n',
      "@asterism/package-boundary",
    ],
    [
      "a deep import into ostd internals",
      'import { frameTable } from "@asterism/ostd/src/mm/frames.ts";\nexport const table = frameTable;\n',
      "@asterism/package-boundary",
    ],
    [
      "a relative import leaving the package",
      'import { frameTable } from "../../ostd/src/mm/frames.ts";\nexport const table = frameTable;\n',
      "@asterism/package-boundary",
    ],
    [
      "node:fs",
      'import { readFileSync } from "node:fs";\nexport const read = readFileSync;\n',
      "@asterism/no-host-api",
    ],
    ["eval", 'export const value: unknown = eval("1 + 1");\n', "@asterism/no-host-api"],
    ["Date.now()", "export const now = Date.now();\n", "@asterism/no-host-api"],
    ["process", "export const argv = process.argv;\n", "@asterism/no-host-api"],
    ["setTimeout", "setTimeout(() => undefined, 10);\n", "@asterism/no-host-api"],
    [
      "a call of an @unsafe function",
      "/** @unsafe the caller must own the whole port range. */\nfunction outb(port: number): number { return port; }\nexport const sent = outb(0x80);\n",
      "@asterism/no-unsafe-api",
    ],
    [
      "an `as` cast",
      "export const size = JSON.parse('1') as number;\n",
      "@typescript-eslint/consistent-type-assertions",
    ],
    [
      "a prototype mutation",
      "Object.defineProperty(Array.prototype, 'last', { value: 1 });\n",
      "@asterism/no-builtin-mutation",
    ],
    ["an `any`", "export function id(x: any): unknown { return x; }\n", "@typescript-eslint/no-explicit-any"],
    [
      "a @ts-ignore",
      "// @ts-ignore: the compiler is wrong\nexport const n: number = 1;\n",
      "@typescript-eslint/ban-ts-comment",
    ],
    [
      "a non-null assertion",
      "export function first(xs: number[]): number { return xs[0]!; }\n",
      "@typescript-eslint/no-non-null-assertion",
    ],
  ];

  for (const [kind, code, rule] of plants) {
    it(`fails on ${kind}, naming ${rule}`, async () => {
      expect(await rulesFailing(SERVICE_FILE, code)).toContain(rule);
    });
  }

  it("fails on an eslint-disable comment, and the comment switches nothing off", async () => {
    const code = "// eslint-disable-next-line @asterism/no-raw-memory -- needed for speed\nexport const raw = new ArrayBuffer(8);\n";
    expect(await rulesFailing(SERVICE_FILE, code)).toEqual(["@asterism/no-inline-config", "@asterism/no-raw-memory"]);
    const fileWide = "/* eslint-disable */\nexport const now = Date.now();\n";
    expect(await rulesFailing(SERVICE_FILE, fileWide)).toEqual(["@asterism/no-host-api", "@asterism/no-inline-config"]);
  });

  it("fails on a call of ostd's @unsafe startKernel, resolved across packages by the type checker", async () => {
    const code = 'import { startKernel } from "@asterism/ostd";\nexport const boot = startKernel;\n';
    expect(await rulesFailing(SERVICE_FILE, code)).toContain("@asterism/no-unsafe-api");
  });

  it("applies to the kernel package too", async () => {
    expect(await rulesFailing(KERNEL_FILE, "export const raw = new DataView(new Uint8Array(2).buffer);\n")).toEqual([
      "@asterism/no-raw-memory",
    ]);
  });

  it("applies to in-kernel tests (ktest/) too: they run inside the image", async () => {
    expect(await rulesFailing("packages/svc-sched/ktest/two-user-tasks.ktest.ts", "export const now = Date.now();\n")).toEqual([
      "@asterism/no-host-api",
    ]);
  });

  it("leaves host-side service tests alone: they may use Node", async () => {
    const code = 'import { readFileSync } from "node:fs";\nexport const now = Date.now();\nexport const read = readFileSync;\n';
    expect(await rulesFailing("packages/svc-net/test/index.test.ts", code)).toEqual([]);
  });
});
