/**
 * The policy is declared once, at the root, and no package can choose its own: every
 * package lints with `--config ../../eslint.config.mjs`, none carries an ESLint config of
 * its own, and `settings.asterism` puts every package in exactly one set.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./lint.ts";

interface Policy {
  readonly settings: { readonly asterism: { readonly tcb: string[]; readonly service: string[]; readonly host: string[] } };
}

const policy = createRequire(import.meta.url)(join(repoRoot, ".eslintrc.cjs")) as Policy;
const sets = policy.settings.asterism;

const workspaceDirs = (folder: string): string[] =>
  readdirSync(join(repoRoot, folder), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(repoRoot, folder, entry.name, "package.json")))
    .map((entry) => join(folder, entry.name));

/** Folders of a package that hold TypeScript: image code, in-kernel tests, host tests, benches. */
const LINTED_FOLDERS = ["src", "ktest", "test", "bench"];

const ESLINT_CONFIG_FILE = /^(eslint\.config\.[cm]?[jt]s|\.eslintrc(\.(c?js|json|ya?ml))?)$/u;

/** ESLint config files anywhere under `dir`, skipping dependencies and build output. */
function eslintConfigsUnder(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(join(repoRoot, dir), { withFileTypes: true })) {
    if (["node_modules", "dist", ".turbo"].includes(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...eslintConfigsUnder(path));
    else if (ESLINT_CONFIG_FILE.test(entry.name)) found.push(path);
  }
  return found;
}

/** True when `name` matches one of the set's entries (`svc-*` style globs). */
const inSet = (set: readonly string[], name: string): boolean =>
  set.some((entry) => new RegExp(`^${entry.replaceAll("*", "[^/]*")}$`, "u").test(name));

describe("lint policy", () => {
  const packages = [...workspaceDirs("packages"), ...workspaceDirs("tests")];

  it("finds the workspace packages", () => {
    expect(packages).toContain("packages/ostd");
    expect(packages).toContain("packages/svc-net");
  });

  it("has no package-level ESLint configuration anywhere", () => {
    expect(packages.flatMap(eslintConfigsUnder)).toEqual([]);
    for (const dir of packages) {
      const manifest = JSON.parse(readFileSync(join(repoRoot, dir, "package.json"), "utf8")) as Record<string, unknown>;
      expect(manifest, dir).not.toHaveProperty("eslintConfig");
    }
  });

  it("lints every package with the root config", () => {
    for (const dir of packages) {
      const manifest = JSON.parse(readFileSync(join(repoRoot, dir, "package.json"), "utf8")) as {
        scripts?: Record<string, string>;
      };
      const lint = manifest.scripts?.lint;
      expect(lint, `${dir} has a lint script`).toBeDefined();
      // Folders only: no extra flags (`--rule`, `--no-inline-config`, ...) can loosen the policy.
      expect(lint, dir).toMatch(/^eslint --config \.\.\/\.\.\/eslint\.config\.mjs( [a-z]+)+$/u);
      const linted = (lint ?? "").split(/\s+/u).slice(3);
      for (const folder of LINTED_FOLDERS) {
        if (existsSync(join(repoRoot, dir, folder))) expect(linted, `${dir} lints ${folder}/`).toContain(folder);
      }
    }
  });

  it("type-checks every linted folder (typed linting needs each file in the package's tsconfig)", () => {
    for (const dir of packages) {
      const parsed = ts.readConfigFile(join(repoRoot, dir, "tsconfig.json"), (path) => ts.sys.readFile(path));
      expect(parsed.error, dir).toBeUndefined();
      const include = (parsed.config as { include?: string[] }).include ?? [];
      for (const folder of LINTED_FOLDERS) {
        if (existsSync(join(repoRoot, dir, folder))) expect(include, `${dir}/tsconfig.json includes ${folder}`).toContain(folder);
      }
    }
  });

  it("declares the TCB as exactly ostd and ostd-x86", () => {
    expect(sets.tcb).toEqual(["ostd", "ostd-x86"]);
  });

  it("puts every package in exactly one of tcb, service and host", () => {
    for (const dir of workspaceDirs("packages")) {
      const name = dir.slice("packages/".length);
      const memberships = [sets.tcb, sets.service, sets.host].filter((set) => inSet(set, name));
      expect(memberships, name).toHaveLength(1);
    }
  });
});
