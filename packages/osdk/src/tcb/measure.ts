/**
 * The TCB measurement: the paper's rule applied to packages. A package is trusted if it
 * contains unsafe code, or if a trusted package depends on it at run time (it could then
 * break the trusted code's invariants from inside). The board is hardware and the language
 * runtime is the platform: neither is counted. The figure is trusted source lines over the
 * kernel image's source lines.
 */
import { join } from "node:path";
import { packageEdges, runtimeClosure, type PackageEdge } from "./graph.ts";
import { countPackageLines } from "./lines.ts";
import { countUnsafeSites } from "./unsafe.ts";
import type { Workspace } from "./workspace.ts";

/** The packages a kernel image is made of start from its two roots: the arch's boot code and the kernel. */
const IMAGE_ROOTS = ["ostd-x86", "kernel"] as const;

export interface PackageMeasure {
  readonly dir: string;
  readonly name: string;
  readonly lines: number;
  readonly unsafeSites: number;
  readonly inImage: boolean;
  readonly inTcb: boolean;
  /** Why the package is trusted: it has unsafe code, or the trusted packages that need it. */
  readonly reason: string;
}

export interface TcbMeasure {
  readonly packages: readonly PackageMeasure[];
  readonly edges: readonly PackageEdge[];
  readonly tcb: readonly string[];
  readonly declaredTcb: readonly string[];
  readonly tcbLines: number;
  readonly imageLines: number;
  readonly percent: number;
  readonly matchesDeclaration: boolean;
}

export async function measureTcb(workspace: Workspace): Promise<TcbMeasure> {
  const edges = await packageEdges(workspace);
  const countedEdges = edges.filter((edge) => edge.to !== workspace.board);
  const image = runtimeClosure(IMAGE_ROOTS.filter((root) => workspace.packages.some((p) => p.dir === root)), countedEdges);
  const unsafeSites = await countUnsafeSites(workspace, [...image]);
  const unsafe = [...image].filter((dir) => (unsafeSites.get(dir) ?? 0) > 0);
  const tcb = runtimeClosure(unsafe, countedEdges);

  const packages = workspace.packages
    .filter((pkg) => pkg.dir !== workspace.board)
    .map((pkg): PackageMeasure => {
      const inTcb = tcb.has(pkg.dir);
      const sites = unsafeSites.get(pkg.dir) ?? 0;
      const dependents = countedEdges.filter((e) => e.to === pkg.dir && !e.typeOnly && tcb.has(e.from)).map((e) => e.from);
      const reason = !inTcb ? "" : sites > 0 ? "contains unsafe code" : `run-time dependency of ${dependents.join(", ")}`;
      return {
        dir: pkg.dir,
        name: pkg.name,
        lines: countPackageLines(join(workspace.root, "packages", pkg.dir, "src")),
        unsafeSites: sites,
        inImage: image.has(pkg.dir),
        inTcb,
        reason,
      };
    });

  const sum = (list: readonly PackageMeasure[]): number => list.reduce((total, pkg) => total + pkg.lines, 0);
  const imageLines = sum(packages.filter((pkg) => pkg.inImage));
  const tcbLines = sum(packages.filter((pkg) => pkg.inTcb));
  const measured = [...tcb].sort();
  const declared = [...workspace.declaredTcb].sort();
  return {
    packages,
    edges,
    tcb: measured,
    declaredTcb: declared,
    tcbLines,
    imageLines,
    percent: imageLines === 0 ? 0 : (100 * tcbLines) / imageLines,
    matchesDeclaration: measured.join() === declared.join(),
  };
}
