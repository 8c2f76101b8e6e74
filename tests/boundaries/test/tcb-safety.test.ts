/**
 * In the TCB (ostd, ostd-x86), raw machine handles are allowed when each use carries a
 * `// SAFETY:` justification, and fail lint without one.
 */
import { describe, expect, it } from "vitest";
import { lintAs, rulesFailing } from "./lint.ts";

const TCB_FILE = "packages/ostd/src/index.ts";

const device = `/** Registers of a device, as OSTD sees them. */
interface Mmio {
  /** @unsafe writes reach the device directly; the caller must own the window. */
  write32(offset: number, value: number): void;
}
`;

const justified = `${device}
/** Resets the device behind \`mmio\`, which must be this driver's own window. */
export function reset(mmio: Mmio): void {
  // SAFETY: offset 0 is the reset register of the window this driver owns.
  mmio.write32(0, 1);
}

/** A 16-byte scratch view for register images. */
export function scratch(): DataView {
  // SAFETY: a fresh buffer that nothing else references.
  return new DataView(new ArrayBuffer(16));
}

/** Adds one to a shared counter. */
export function bump(words: Int32Array): number {
  // SAFETY: the counter array is owned by the caller and only ever accessed atomically.
  return Atomics.add(words, 0, 1);
}
`;

describe("tcb rule set (planted in ostd)", () => {
  it("passes raw machine access that carries SAFETY comments", async () => {
    expect(await rulesFailing(TCB_FILE, justified)).toEqual([]);
  });

  it("fails the same code without SAFETY comments, once per unsafe statement", async () => {
    const bare = justified.replace(/^\s*\/\/ SAFETY:.*\n/gmu, "\n");
    const findings = await lintAs(TCB_FILE, bare);
    expect(findings.map((finding) => finding.rule)).toEqual([
      "@asterism/require-safety-comment",
      "@asterism/require-safety-comment",
      "@asterism/require-safety-comment",
    ]);
  });

  it("resolves the board's real @unsafe members in ostd-x86 through the type checker", async () => {
    const code = `import type { Machine } from "@asterism/board-x86";

/** Reads the first byte of RAM and the page-table root. */
export function probe(machine: Machine): number {
  const first = machine.memory.bytes[0] ?? 0;
  return first + machine.cpu.cr3;
}
`;
    const findings = await lintAs("packages/ostd-x86/src/index.ts", code);
    expect(findings.map((finding) => [finding.rule, finding.line])).toEqual([
      ["@asterism/require-safety-comment", 5],
      ["@asterism/require-safety-comment", 6],
    ]);
    expect(findings[0]?.message).toMatch(/`bytes` \(@unsafe: .{10,}\)/u);
    const justified = code
      .replace("  const first", "  // SAFETY: a read of the boot sector, which no user maps.\n  const first")
      .replace("  return first", "  // SAFETY: reading CR3 changes nothing; only writes are dangerous.\n  return first");
    expect(await rulesFailing("packages/ostd-x86/src/index.ts", justified)).toEqual([]);
  });

  it("fails an @unsafe tag that gives no reason", async () => {
    const code = "/** Pokes a port. @unsafe */\nexport function poke(port: number): number { return port; }\n";
    expect(await rulesFailing(TCB_FILE, code)).toEqual(["@asterism/unsafe-tag-has-reason"]);
  });

  it("applies typescript-eslint strict-type-checked to OSTD as well", async () => {
    expect(await rulesFailing(TCB_FILE, "export function id(x: any): unknown { return x; }\n")).toContain(
      "@typescript-eslint/no-explicit-any",
    );
  });
});
