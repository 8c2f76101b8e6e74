/**
 * What a user of the published packages gets: each package packed as `pnpm publish` would,
 * then installed with plain npm into a project outside the workspace and imported by name.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "../../..");
const work = mkdtempSync(join(tmpdir(), "asterism-pack-test-"));
const tarballs = join(work, "tarballs");
const consumer = join(work, "consumer");

interface Manifest {
  name: string;
  private?: boolean;
  exports: Record<string, unknown>;
  dependencies?: Record<string, string>;
}

const publishable = readdirSync(join(root, "packages"))
  .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(root, "packages", dir, "package.json"), "utf8")) as Manifest }))
  .filter(({ manifest }) => manifest.private !== true);

function tarballOf(name: string): string {
  return join(tarballs, `${name.replace("@", "").replace("/", "-")}-0.1.0.tgz`);
}

function packedFiles(name: string): string[] {
  return execFileSync("tar", ["tzf", tarballOf(name)], { encoding: "utf8" }).split("\n").filter(Boolean);
}

function packedManifest(name: string): Manifest {
  return JSON.parse(execFileSync("tar", ["xzOf", tarballOf(name), "package/package.json"], { encoding: "utf8" })) as Manifest;
}

beforeAll(() => {
  for (const { dir } of publishable) {
    execFileSync("pnpm", ["pack", "--pack-destination", tarballs], { cwd: join(root, "packages", dir), stdio: "pipe" });
  }
}, 600_000);
afterAll(() => { rmSync(work, { recursive: true, force: true }); });

describe("pnpm pack", () => {
  it("covers every package of the workspace", () => {
    expect(publishable.map(({ dir }) => dir).sort()).toEqual(["board-x86", "eslint-plugin", "kernel", "osdk", "ostd", "ostd-x86", "svc-fs", "svc-net", "svc-sched"]);
  });

  it.each(publishable.map(({ manifest }) => manifest.name))("%s ships built JavaScript and types, exports pointing at dist", (name) => {
    const files = packedFiles(name);
    expect(files).toContain("package/dist/index.js");
    expect(files).toContain("package/dist/index.d.ts");
    expect(files).toContain("package/README.md");
    expect(files.some((file) => file.endsWith(".tsbuildinfo"))).toBe(false);
    const manifest = packedManifest(name);
    expect(manifest.exports["."]).toEqual({ types: "./dist/index.d.ts", default: "./dist/index.js" });
    expect(JSON.stringify(manifest)).not.toMatch(/"(workspace|catalog):/);
  });
});

describe("the packed tarballs", () => {
  it("install together with npm outside the workspace and import by name", () => {
    mkdirSync(consumer);
    writeFileSync(join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
    const specs = publishable.map(({ manifest }) => tarballOf(manifest.name));
    execFileSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--ignore-scripts", ...specs], { cwd: consumer, stdio: "pipe" });
    const names = publishable.map(({ manifest }) => manifest.name);
    const script = `for (const name of ${JSON.stringify(names)}) { const m = await import(name); if (Object.keys(m).length === 0) throw new Error(name + " exports nothing"); } console.log("imported", ${names.length});`;
    expect(execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: consumer, encoding: "utf8" })).toContain(`imported ${names.length}`);
  }, 600_000);
});
