/**
 * The package graph at run time. The paper's rule counts run-time dependencies only: an
 * `import type` vanishes when TypeScript strips types, so it cannot carry unsafe behaviour
 * into the image. dependency-cruiser resolves imports the way Node does (workspace symlinks,
 * `exports` maps) and tags type-only ones, which is exactly the distinction needed.
 */
import { cruise, type ICruiseOptions, type IDependency } from "dependency-cruiser";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { Workspace } from "./workspace.ts";

export interface PackageEdge {
  readonly from: string;
  readonly to: string;
  /** True when every import along this edge is type-only. */
  readonly typeOnly: boolean;
}

const PACKAGE_SOURCE = /^packages\/([^/]+)\/src\//;

function isTypeOnly(dependency: IDependency): boolean {
  return dependency.dependencyTypes.some((type) => type === "type-only" || type === "type-import");
}

/** The repo's own module-resolution options, so the graph is the one the depcruise check sees. */
function resolutionOptions(workspace: Workspace): ICruiseOptions {
  const config = createRequire(import.meta.url)(join(workspace.root, ".dependency-cruiser.cjs")) as { options?: ICruiseOptions };
  return config.options ?? {};
}

/** Edges between packages, collapsed from module-level imports of their src/ trees. */
export async function packageEdges(workspace: Workspace): Promise<PackageEdge[]> {
  const previous = process.cwd();
  process.chdir(workspace.root);
  try {
    const result = await cruise(["packages"], {
      ...resolutionOptions(workspace),
      tsPreCompilationDeps: true,
      includeOnly: { path: "^packages/[^/]+/src/" },
    });
    if (typeof result.output === "string") throw new Error("dependency-cruiser returned a report, not modules");
    const edges = new Map<string, { from: string; to: string; typeOnly: boolean }>();
    for (const module of result.output.modules) {
      const from = PACKAGE_SOURCE.exec(module.source)?.[1];
      if (from === undefined) continue;
      for (const dependency of module.dependencies) {
        const to = PACKAGE_SOURCE.exec(dependency.resolved)?.[1];
        if (to === undefined || to === from) continue;
        const key = `${from}->${to}`;
        const typeOnly = isTypeOnly(dependency);
        const known = edges.get(key);
        if (known === undefined) edges.set(key, { from, to, typeOnly });
        else known.typeOnly &&= typeOnly;
      }
    }
    return [...edges.values()].sort((a, b) => `${a.from}>${a.to}`.localeCompare(`${b.from}>${b.to}`));
  } finally {
    process.chdir(previous);
  }
}

/** Every package reachable from `roots` over run-time edges, the roots included. */
export function runtimeClosure(roots: Iterable<string>, edges: readonly PackageEdge[]): Set<string> {
  const reached = new Set(roots);
  const pending = [...reached];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    for (const edge of edges) {
      if (edge.from === next && !edge.typeOnly && !reached.has(edge.to)) {
        reached.add(edge.to);
        pending.push(edge.to);
      }
    }
  }
  return reached;
}
