/**
 * Differential test against the host's Linux: the same random sequences of file operations
 * run on host scratch directories (in a child process, as root and as an unprivileged user)
 * and on the VFS, and every outcome (success, result or errno) and the final trees must agree.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FsContext, Vfs } from "../src/index.ts";
import { makeGenerator } from "./differential/generator.ts";
import { type Operation, hostTree } from "./differential/host-ops.ts";
import { runVfs, vfsTree } from "./differential/vfs-ops.ts";
import { makeVfs } from "./helpers.ts";

const SEEDS = Array.from({ length: 8 }, (_, index) => index + 1);
const STEPS = 800;
const UNPRIVILEGED = { uid: 1000, gid: 1000 } as const;
const runnerPath = new URL("./differential/host-runner.ts", import.meta.url).pathname;

interface Variant {
  readonly label: string;
  readonly unprivileged: boolean;
  readonly enabled: boolean;
}

const isLinux = process.platform === "linux";
const variants: Variant[] = [
  { label: "as root", unprivileged: false, enabled: isLinux && process.getuid?.() === 0 },
  { label: "as an unprivileged user", unprivileged: true, enabled: isLinux && process.getuid?.() === 0 },
  { label: "as the current user", unprivileged: false, enabled: isLinux && process.getuid?.() !== 0 },
];

/** The VFS twin of a host scratch directory: "/w", owned like it, as the process's cwd. */
function vfsScratch(unprivileged: boolean): { vfs: Vfs; ctx: FsContext; inspector: FsContext } {
  const { vfs, root } = makeVfs();
  const uid = unprivileged ? UNPRIVILEGED.uid : (process.getuid?.() ?? 0);
  const gid = unprivileged ? UNPRIVILEGED.gid : (process.getgid?.() ?? 0);
  vfs.mkdir(root, null, "/w", 0o700);
  vfs.chown(root, null, "/w", uid, gid);
  const ctx = vfs.createContext({ uid, gid, groups: [] });
  vfs.chdir(ctx, null, "/w");
  const inspector = root.clone();
  vfs.chdir(inspector, null, "/w");
  return { vfs, ctx, inspector };
}

for (const variant of variants) {
  describe.skipIf(!variant.enabled)(`differential test against the host Linux kernel, ${variant.label}`, () => {
    const sequences = new Map<number, Operation[]>();
    const bases = new Map<number, string>();
    const hostOutcomes = new Map<number, string[]>();

    beforeAll(() => {
      for (const seed of SEEDS) {
        const generate = makeGenerator(seed);
        sequences.set(seed, Array.from({ length: STEPS }, generate));
        const base = fs.mkdtempSync(join(tmpdir(), "svc-fs-diff-"));
        if (variant.unprivileged) fs.chownSync(base, UNPRIVILEGED.uid, UNPRIVILEGED.gid);
        bases.set(seed, base);
      }
      const runs = SEEDS.map((seed) => ({ base: bases.get(seed), operations: sequences.get(seed) }));
      const output = execFileSync(process.execPath, [runnerPath], {
        input: JSON.stringify({ runs }),
        maxBuffer: 1 << 26,
        ...(variant.unprivileged ? UNPRIVILEGED : {}),
      });
      const parsed: unknown = JSON.parse(output.toString());
      if (!Array.isArray(parsed)) throw new Error("host runner gave no outcome list");
      SEEDS.forEach((seed, index) => {
        const outcomes: unknown = parsed[index];
        if (!Array.isArray(outcomes)) throw new Error(`no outcomes for seed ${String(seed)}`);
        hostOutcomes.set(seed, outcomes.map(String));
      });
    });

    afterAll(() => {
      for (const base of bases.values()) fs.rmSync(base, { recursive: true, force: true });
    });

    for (const seed of SEEDS) {
      it(`agrees on ${String(STEPS)} random operations (seed ${String(seed)})`, async () => {
        const operations = sequences.get(seed) ?? [];
        const host = hostOutcomes.get(seed) ?? [];
        const base = bases.get(seed) ?? "";
        const { vfs, ctx, inspector } = vfsScratch(variant.unprivileged);
        const log: string[] = [];
        for (const [step, operation] of operations.entries()) {
          const ours = await runVfs(vfs, ctx, operation);
          log.push(`${JSON.stringify(operation)} host=${host[step] ?? "?"} vfs=${ours}`);
          if (host[step] !== ours) expect(log.slice(-15).join("\n")).toBe(`mismatch at step ${String(step)}`);
        }
        expect(await vfsTree(vfs, inspector)).toEqual(hostTree(base));
      });
    }
  });
}
