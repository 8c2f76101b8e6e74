/**
 * Differential test against the host's Linux: the same random sequences of file operations
 * run on host scratch directories (in a child process: as root, as an unprivileged user, and
 * as four users taking turns) and on the VFS, and every outcome (success, result or errno)
 * and the final trees (types, modes, owners, sizes, links) must agree.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FsContext, Vfs } from "../src/index.ts";
import { makeGenerator } from "./differential/generator.ts";
import { IDENTITIES, type Step, hostTree } from "./differential/host-ops.ts";
import { runVfs, vfsTree } from "./differential/vfs-ops.ts";
import { makeVfs } from "./helpers.ts";

const SEEDS = Array.from({ length: 6 }, (_, index) => index + 1);
const STEPS = 700;
const UNPRIVILEGED = { uid: 1000, gid: 1000 } as const;
const runnerPath = new URL("./differential/host-runner.ts", import.meta.url).pathname;

interface Variant {
  readonly label: string;
  readonly enabled: boolean;
  /** Spawn the host runner as this user (else as ourselves). */
  readonly spawnAs?: { readonly uid: number; readonly gid: number };
  /** Steps carry identities; the scratch directory is world-writable. */
  readonly multiUser: boolean;
}

function sysctl(name: string): string | undefined {
  try {
    return fs.readFileSync(`/proc/sys/fs/${name}`, "utf8").trim();
  } catch {
    return undefined;
  }
}

const isLinux = process.platform === "linux";
const isRoot = process.getuid?.() === 0;

/**
 * Whether `user` can run this Node binary on the runner script: not when the checkout sits
 * under a directory only root may enter (a `mktemp -d` clone, for one).
 */
function canRunAs(user: { readonly uid: number; readonly gid: number }): boolean {
  const probe = spawnSync(process.execPath, ["-e", `require("node:fs").accessSync(${JSON.stringify(runnerPath)}, 4)`], user);
  return probe.status === 0;
}
const variants: Variant[] = [
  { label: "as root", enabled: isLinux && isRoot, multiUser: false },
  { label: "as an unprivileged user", enabled: isLinux && isRoot && canRunAs(UNPRIVILEGED), spawnAs: UNPRIVILEGED, multiUser: false },
  { label: "as the current user", enabled: isLinux && !isRoot, multiUser: false },
  {
    // The symlink/regular-file protections change what other users' files allow: the host must not use them.
    label: "as four users taking turns",
    enabled: isLinux && isRoot && sysctl("protected_symlinks") === "0" && sysctl("protected_regular") === "0",
    multiUser: true,
  },
];

/** The VFS twin of a host scratch directory: "/w", owned and moded like it, as every context's cwd. */
function vfsScratch(variant: Variant): { vfs: Vfs; contexts: FsContext[]; single: FsContext; inspector: FsContext } {
  const { vfs, root } = makeVfs();
  const uid = variant.spawnAs?.uid ?? process.getuid?.() ?? 0;
  const gid = variant.spawnAs?.gid ?? process.getgid?.() ?? 0;
  root.umask = 0;
  vfs.mkdir(root, null, "/w", variant.multiUser ? 0o777 : 0o700);
  vfs.chown(root, null, "/w", uid, gid);
  const enter = (cred: { uid: number; gid: number; groups: readonly number[] }): FsContext => {
    const ctx = vfs.createContext(cred);
    vfs.chdir(ctx, null, "/w");
    return ctx;
  };
  return {
    vfs,
    contexts: variant.multiUser ? IDENTITIES.map(enter) : [],
    single: enter({ uid, gid, groups: [] }),
    inspector: enter({ uid: 0, gid: 0, groups: [] }),
  };
}

/** The host half runs 4,200 real file-system operations in a child process: slow on a loaded CI machine. */
const HOST_RUN_TIMEOUT_MS = 120_000;

for (const variant of variants) {
  describe.skipIf(!variant.enabled)(`differential test against the host Linux kernel, ${variant.label}`, () => {
    const sequences = new Map<number, Step[]>();
    const bases = new Map<number, string>();
    const hostOutcomes = new Map<number, string[]>();

    beforeAll(() => {
      for (const seed of SEEDS) {
        sequences.set(seed, Array.from({ length: STEPS }, makeGenerator(seed, variant.multiUser)));
        const base = fs.mkdtempSync(join(tmpdir(), "svc-fs-diff-"));
        if (variant.spawnAs !== undefined) fs.chownSync(base, variant.spawnAs.uid, variant.spawnAs.gid);
        if (variant.multiUser) fs.chmodSync(base, 0o777);
        bases.set(seed, base);
      }
      const runs = SEEDS.map((seed) => ({ base: bases.get(seed), steps: sequences.get(seed) }));
      const output = execFileSync(process.execPath, [runnerPath], {
        input: JSON.stringify({ runs }),
        maxBuffer: 1 << 26,
        ...(variant.spawnAs ?? {}),
      });
      const parsed: unknown = JSON.parse(output.toString());
      if (!Array.isArray(parsed)) throw new Error("host runner gave no outcome list");
      SEEDS.forEach((seed, index) => {
        const outcomes: unknown = parsed[index];
        if (!Array.isArray(outcomes)) throw new Error(`no outcomes for seed ${String(seed)}`);
        hostOutcomes.set(seed, outcomes.map(String));
      });
    }, HOST_RUN_TIMEOUT_MS);

    afterAll(() => {
      for (const base of bases.values()) fs.rmSync(base, { recursive: true, force: true });
    });

    for (const seed of SEEDS) {
      it(`agrees on ${String(STEPS)} random operations (seed ${String(seed)})`, async () => {
        const steps = sequences.get(seed) ?? [];
        const host = hostOutcomes.get(seed) ?? [];
        const { vfs, contexts, single, inspector } = vfsScratch(variant);
        const log: string[] = [];
        for (const [index, step] of steps.entries()) {
          const ctx = step.who === null ? single : (contexts[step.who] ?? single);
          const ours = await runVfs(vfs, ctx, step.operation);
          const who = step.who === null ? "" : `as ${String(ctx.cred.uid)} `;
          log.push(`${who}${JSON.stringify(step.operation)} host=${host[index] ?? "?"} vfs=${ours}`);
          if (host[index] !== ours) expect(log.slice(-15).join("\n")).toBe(`mismatch at step ${String(index)}`);
        }
        expect(await vfsTree(vfs, inspector)).toEqual(hostTree(bases.get(seed) ?? ""));
      });
    }
  });
}
