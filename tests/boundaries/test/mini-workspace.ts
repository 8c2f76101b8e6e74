/**
 * A throwaway pnpm-like workspace in the OS temp folder, to run dependency-cruiser's real
 * rule set on planted graphs without touching the repository: `packages/<name>/src` plus a
 * package.json `exports` map per package, and `node_modules/@asterism/<name>` symlinks the
 * way pnpm links workspace packages.
 */
import { cruise, type IViolation } from "dependency-cruiser";
import extractDepcruiseOptions from "dependency-cruiser/config-utl/extract-depcruise-options";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { repoRoot } from "./lint.ts";

/** The allowed graph of the design brief, one small module per package. */
export const ALLOWED_FILES: Readonly<Record<string, string>> = {
  "packages/ostd/src/index.ts": 'import { frames } from "./mm.ts";\nexport const PAGE_SIZE = 4096 + frames;\n',
  "packages/ostd/src/mm.ts": "export const frames = 0;\n",
  "packages/ostd-x86/src/index.ts":
    'import type { Machine } from "@asterism/board-x86";\nimport { PAGE_SIZE } from "@asterism/ostd";\nexport const boot = (machine: Machine): number => machine.size / PAGE_SIZE;\n',
  "packages/board-x86/src/index.ts":
    'import { readFileSync } from "node:fs";\nexport interface Machine { readonly size: number }\nexport const load = readFileSync;\n',
  "packages/svc-fs/src/index.ts": 'import { PAGE_SIZE } from "@asterism/ostd";\nexport const BLOCK = PAGE_SIZE;\n',
  "packages/svc-net/src/index.ts":
    'import { PAGE_SIZE } from "@asterism/ostd";\nimport { BLOCK } from "@asterism/svc-fs";\nexport const MTU = PAGE_SIZE - BLOCK;\n',
  "packages/svc-net/ktest/net.ktest.ts": 'import { MTU } from "../src/index.ts";\nexport const probe = MTU;\n',
  "packages/svc-net/test/index.test.ts":
    'import { readFileSync } from "node:fs";\nimport type { Machine } from "@asterism/board-x86";\nimport { MTU } from "../src/index.ts";\nexport const probe = [readFileSync, MTU] as const;\nexport type M = Machine;\n',
  "packages/kernel/src/index.ts":
    'import { PAGE_SIZE } from "@asterism/ostd";\nimport { MTU } from "@asterism/svc-net";\nimport { BLOCK } from "@asterism/svc-fs";\nexport const main = (): number => PAGE_SIZE + MTU + BLOCK;\n',
  "packages/osdk/src/index.ts":
    'import { join } from "node:path";\nimport { main } from "@asterism/kernel";\nimport { boot } from "@asterism/ostd-x86";\nimport { load } from "@asterism/board-x86";\nexport const build = [join, main, boot, load] as const;\n',
};

const PACKAGES = ["ostd", "ostd-x86", "board-x86", "svc-fs", "svc-net", "kernel", "osdk"] as const;

function write(root: string, file: string, text: string): void {
  mkdirSync(dirname(join(root, file)), { recursive: true });
  writeFileSync(join(root, file), text);
}

/** Builds the workspace with `files` laid over the allowed graph (a file mapped to null is left out). */
function buildWorkspace(files: Readonly<Record<string, string | null>>): string {
  const root = realpathSync(mkdtempSync(join(tmpdir(), "asterism-depcruise-")));
  write(root, "package.json", JSON.stringify({ name: "mini-workspace", private: true, type: "module" }));
  for (const name of PACKAGES) {
    const manifest = {
      name: `@asterism/${name}`,
      version: "0.1.0",
      type: "module",
      exports: { ".": "./src/index.ts", "./package.json": "./package.json" },
    };
    write(root, `packages/${name}/package.json`, JSON.stringify(manifest));
    mkdirSync(join(root, "node_modules/@asterism"), { recursive: true });
    symlinkSync(`../../packages/${name}`, join(root, "node_modules/@asterism", name), "dir");
  }
  for (const [file, text] of Object.entries({ ...ALLOWED_FILES, ...files })) {
    if (text !== null) write(root, file, text);
  }
  return root;
}

/** The names of the rules the real `.dependency-cruiser.cjs` reports, sorted and de-duplicated. */
export async function violatedRules(files: Readonly<Record<string, string | null>> = {}): Promise<string[]> {
  const violations = await cruiseViolations(files);
  return [...new Set(violations.map((violation) => violation.rule.name))].sort();
}

/** Every violation of the real rule set in the mini workspace built from `files`. */
export async function cruiseViolations(files: Readonly<Record<string, string | null>>): Promise<IViolation[]> {
  const root = buildWorkspace(files);
  try {
    const options = await extractDepcruiseOptions(join(repoRoot, ".dependency-cruiser.cjs"));
    const result = await cruise(["packages"], { ...options, baseDir: root, validate: true });
    if (typeof result.output === "string") throw new Error("dependency-cruiser returned a report instead of results");
    return result.output.summary.violations;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
