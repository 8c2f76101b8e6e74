/**
 * Rule tests for `no-host-api`: host globals (directly and through the global object), host
 * modules in every import form, code loaders, `import.meta` and host entropy.
 */
import { describe, expect, it } from "vitest";
import { isHostModule, noHostApi } from "../src/rules/no-host-api.ts";
import { runRuleTests } from "./rule-tester.ts";

describe("isHostModule", () => {
  it("knows node: modules, bare builtins and their subpaths, and nothing else", () => {
    expect(isHostModule("node:fs")).toBe(true);
    expect(isHostModule("fs")).toBe(true);
    expect(isHostModule("fs/promises")).toBe(true);
    expect(isHostModule("@asterism/ostd")).toBe(false);
    expect(isHostModule("./fs.ts")).toBe(false);
  });
});

runRuleTests("no-host-api", noHostApi, {
  valid: [
    { code: "const n = Math.max(1, 2); const s = JSON.stringify({ n });" },
    { code: "const m = globalThis.Math.min(1, 2);" },
    { code: "declare const ostd: { now(): number }; const t = ostd.now();" },
    { code: "function Date(): number { return 0; } const d = Date();" },
    { code: "type Clock = DateConstructor; declare const c: { constructor: string }; const k = c.constructor;" },
    { code: 'import type { X } from "./x.ts"; export type { X };' },
    { code: "const Math = { random: (): number => 4 }; const r = Math.random();" },
  ],
  invalid: [
    { code: "const t = Date.now();", errors: [{ messageId: "global", data: { name: "Date" } }] },
    { code: 'eval("1");', errors: [{ messageId: "global", data: { name: "eval" } }] },
    { code: "const f = new Function('return 1');", errors: [{ messageId: "global", data: { name: "Function" } }] },
    { code: "process.exit(0);", errors: [{ messageId: "global", data: { name: "process" } }] },
    { code: 'const fs: unknown = require("fs");', errors: [{ messageId: "global", data: { name: "require" } }] },
    { code: "setTimeout(() => 0, 1);", errors: [{ messageId: "global", data: { name: "setTimeout" } }] },
    { code: "const p = globalThis.performance;", errors: [{ messageId: "global", data: { name: "performance" } }] },
    { code: 'const e = globalThis["eval"];', errors: [{ messageId: "global", data: { name: "eval" } }] },
    { code: "const { setInterval: every } = globalThis;", errors: [{ messageId: "global", data: { name: "setInterval" } }] },
    { code: "declare const key: string; const x: unknown = globalThis[key as keyof typeof globalThis];", errors: [{ messageId: "globalObject" }] },
    { code: "const g = globalThis;", errors: [{ messageId: "globalObject" }] },
    { code: "const w = WebAssembly;", errors: [{ messageId: "global", data: { name: "WebAssembly" } }] },
    { code: 'import { readFileSync } from "node:fs"; export { readFileSync };', errors: [{ messageId: "module", data: { name: "node:fs" } }] },
    { code: 'export * from "fs/promises";', errors: [{ messageId: "module", data: { name: "fs/promises" } }] },
    { code: 'type Fs = typeof import("node:fs");', errors: [{ messageId: "module" }] },
    { code: 'const m = import("node:fs");', errors: [{ messageId: "dynamicImport" }, { messageId: "module" }] },
    { code: "const u = import.meta.url;", errors: [{ messageId: "importMeta" }] },
    { code: "const f = (() => 0).constructor;", errors: [{ messageId: "functionConstructor" }] },
    { code: "const r = Math.random();", errors: [{ messageId: "hostEntropy" }] },
    { code: 'console.log("hello");', errors: [{ messageId: "global", data: { name: "console" } }] },
    { code: "const bytes = crypto.getRandomValues(new Uint8Array(4));", errors: [{ messageId: "global", data: { name: "crypto" } }] },
  ],
});
