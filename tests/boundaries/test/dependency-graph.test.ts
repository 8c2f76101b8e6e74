/**
 * The allowed-import graph of `.dependency-cruiser.cjs`: the graph the design brief allows
 * passes, and each planted violation is reported under its rule's name.
 */
import { describe, expect, it } from "vitest";
import { ALLOWED_FILES, violatedRules } from "./mini-workspace.ts";

const SVC_NET = "packages/svc-net/src/index.ts";
const withLine = (file: string, line: string): Record<string, string> => ({ [file]: `${line}\n${ALLOWED_FILES[file] ?? ""}` });

describe("dependency-cruiser rule set", () => {
  it("passes the allowed graph (type-only board import in ostd-x86, Node in board, osdk and tests)", async () => {
    expect(await violatedRules()).toEqual([]);
  });

  const plants: [string, Record<string, string>, string][] = [
    ["a service importing board-x86", withLine(SVC_NET, 'import { load } from "@asterism/board-x86";'), "svc-imports-only-ostd-and-svc"],
    ["a service importing ostd-x86", withLine(SVC_NET, 'import { boot } from "@asterism/ostd-x86";'), "svc-imports-only-ostd-and-svc"],
    ["a relative deep import into ostd", withLine(SVC_NET, 'import { frames } from "../../ostd/src/mm.ts";'), "no-deep-imports"],
    ["a deep import of ostd by name", withLine(SVC_NET, 'import { frames } from "@asterism/ostd/src/mm.ts";'), "no-deep-imports"],
    [
      "a cycle",
      {
        "packages/svc-fs/src/a.ts": 'import { b } from "./b.ts";\nexport const a = (): number => b();\n',
        "packages/svc-fs/src/b.ts": 'import { a } from "./a.ts";\nexport const b = (): number => a();\n',
      },
      "no-circular",
    ],
    ["a service importing node:fs", withLine(SVC_NET, 'import { readFileSync } from "node:fs";'), "image-not-to-node-builtins"],
    ["ostd importing a service", withLine("packages/ostd/src/index.ts", 'import { MTU } from "@asterism/svc-net";'), "ostd-imports-no-package"],
    ["an unresolvable import", withLine(SVC_NET, 'import { nothing } from "./missing.ts";'), "not-to-unresolvable"],
    [
      "ostd-x86 importing board code at run time",
      withLine("packages/ostd-x86/src/index.ts", 'import { load } from "@asterism/board-x86";'),
      "ostd-x86-board-type-only",
    ],
    [
      "the kernel importing ostd-x86",
      withLine("packages/kernel/src/index.ts", 'import { boot } from "@asterism/ostd-x86";'),
      "kernel-imports-only-ostd-and-svc",
    ],
    [
      "the board importing ostd",
      withLine("packages/board-x86/src/index.ts", 'import { PAGE_SIZE } from "@asterism/ostd";'),
      "board-imports-nothing-of-the-kernel",
    ],
    ["a service importing osdk", withLine(SVC_NET, 'import { build } from "@asterism/osdk";'), "image-not-to-host-tools"],
    [
      "an in-kernel test importing node:fs",
      withLine("packages/svc-net/ktest/net.ktest.ts", 'import { readFileSync } from "node:fs";'),
      "image-not-to-node-builtins",
    ],
  ];

  for (const [kind, files, rule] of plants) {
    it(`reports ${kind} as ${rule}`, async () => {
      expect(await violatedRules(files)).toContain(rule);
    });
  }

  it("does not count a cycle made only of type imports", async () => {
    const typeCycle = {
      "packages/svc-fs/src/a.ts": 'import type { B } from "./b.ts";\nexport interface A { b?: B }\n',
      "packages/svc-fs/src/b.ts": 'import type { A } from "./a.ts";\nexport interface B { a?: A }\n',
    };
    expect(await violatedRules(typeCycle)).toEqual([]);
  });
});
