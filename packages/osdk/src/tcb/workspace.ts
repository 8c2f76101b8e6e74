/**
 * The workspace as `osdk tcb` sees it: which packages exist, which of them the kernel image
 * is made of, and which the root policy declares trusted. Everything is read from files a
 * reviewer can see (package.json files and the root `.eslintrc.cjs`), never from flags, so
 * that a package cannot talk its way out of (or into) the TCB.
 */
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

export interface WorkspacePackage {
  /** Folder name under packages/, e.g. "svc-fs". */
  readonly dir: string;
  /** npm name, e.g. "@asterism/svc-fs". */
  readonly name: string;
}

export interface Workspace {
  readonly root: string;
  readonly packages: readonly WorkspacePackage[];
  /** Folder names the root policy declares to be the TCB. */
  readonly declaredTcb: readonly string[];
  /** Folder name of the hardware package, which is never counted. */
  readonly board: string;
}

/** The folder is not a workspace osdk tcb can measure. */
export class WorkspaceError extends Error {
  override readonly name = "WorkspaceError";
}

interface PolicySettings {
  readonly settings?: { readonly asterism?: { readonly tcb?: unknown } };
}

function readDeclaredTcb(root: string): string[] {
  const policyFile = join(root, ".eslintrc.cjs");
  if (!existsSync(policyFile)) throw new WorkspaceError(`${root} has no .eslintrc.cjs declaring settings.asterism.tcb`);
  const policy: PolicySettings = createRequire(import.meta.url)(policyFile) as PolicySettings;
  const declared: unknown = policy.settings?.asterism?.tcb;
  const names = Array.isArray(declared) ? declared.filter((entry): entry is string => typeof entry === "string") : [];
  if (!Array.isArray(declared) || names.length !== declared.length) {
    throw new WorkspaceError(`${policyFile}: settings.asterism.tcb must list the TCB package folders`);
  }
  return names;
}

export function readWorkspace(root: string): Workspace {
  const packagesDir = join(root, "packages");
  if (!existsSync(packagesDir)) {
    throw new WorkspaceError(`${root} has no packages/ folder: osdk tcb measures a workspace laid out like Asterism's (packages/*, a root .eslintrc.cjs)`);
  }
  const packages: WorkspacePackage[] = [];
  for (const dir of readdirSync(packagesDir).sort()) {
    const manifest = join(packagesDir, dir, "package.json");
    if (!existsSync(manifest)) continue;
    const { name } = JSON.parse(readFileSync(manifest, "utf8")) as { name: string };
    packages.push({ dir, name });
  }
  return { root, packages, declaredTcb: readDeclaredTcb(root), board: "board-x86" };
}

/** The workspace root: the nearest ancestor of `start` with a pnpm-workspace.yaml. */
export function findWorkspaceRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, "pnpm-workspace.yaml"))) {
    const parent = join(dir, "..");
    if (parent === dir) throw new WorkspaceError(`no pnpm-workspace.yaml in ${start} or above it`);
    dir = parent;
  }
  return dir;
}
