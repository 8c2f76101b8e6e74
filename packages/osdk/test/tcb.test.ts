import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { runtimeClosure, type PackageEdge } from "../src/tcb/graph.ts";
import { measureTcb, type TcbMeasure } from "../src/tcb/measure.ts";
import { renderTcbPicture } from "../src/tcb/picture.ts";
import { readWorkspace, WorkspaceError } from "../src/tcb/workspace.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");

describe("runtimeClosure", () => {
  const edges: PackageEdge[] = [
    { from: "kernel", to: "svc-fs", typeOnly: false },
    { from: "svc-fs", to: "ostd", typeOnly: false },
    { from: "ostd-x86", to: "board-x86", typeOnly: true },
    { from: "ostd", to: "helper", typeOnly: false },
  ];

  it("follows run-time imports transitively", () => {
    expect([...runtimeClosure(["kernel"], edges)].sort()).toEqual(["helper", "kernel", "ostd", "svc-fs"]);
  });

  it("does not follow type-only imports", () => {
    expect([...runtimeClosure(["ostd-x86"], edges)]).toEqual(["ostd-x86"]);
  });
});

describe("osdk tcb on this repository", () => {
  const workspace = readWorkspace(root);
  let measure: TcbMeasure;
  beforeAll(async () => {
    measure = await measureTcb(workspace);
  }, 60_000);

  it("measures exactly the declared TCB, with unsafe code in both OSTD halves", () => {
    expect(measure.tcb).toEqual(["ostd", "ostd-x86"]);
    expect(measure.matchesDeclaration).toBe(true);
    for (const dir of ["ostd", "ostd-x86"]) {
      const pkg = measure.packages.find((p) => p.dir === dir);
      expect(pkg?.unsafeSites).toBeGreaterThan(0);
      expect(pkg?.reason).toBe("contains unsafe code");
    }
    const services = measure.packages.filter((p) => p.inImage && !p.inTcb);
    expect(services.every((p) => p.unsafeSites === 0)).toBe(true);
    expect(measure.packages.some((p) => p.dir === "board-x86")).toBe(false);
    expect(measure.percent).toBeCloseTo((100 * measure.tcbLines) / measure.imageLines);
  });

  it("reports a mismatch when the declaration leaves a trusted package out", async () => {
    const mismatch = await measureTcb({ ...workspace, declaredTcb: ["ostd-x86"] });
    expect(mismatch.matchesDeclaration).toBe(false);
  }, 60_000);

  it("draws the TCB boundary around the trusted packages only", () => {
    const svg = renderTcbPicture(measure, workspace.board);
    expect(svg).toMatch(/^<svg /);
    expect(svg).toContain("TCB: ");
    expect(svg).toContain(">ostd<");
    expect(svg).toContain(">board-x86<");
  });

  it("exits 0 and prints the figure from the command line, and --json is machine-readable", () => {
    const bin = join(root, "packages/osdk/bin/osdk.js");
    const text = execFileSync(process.execPath, [bin, "tcb"], { cwd: root, encoding: "utf8" });
    expect(text).toMatch(/TCB: ostd, ostd-x86 = [\d,]+ of [\d,]+ kernel-image source lines = \d+\.\d%/);
    const json = JSON.parse(execFileSync(process.execPath, [bin, "tcb", "--json"], { cwd: root, encoding: "utf8" })) as { tcb: string[] };
    expect(json.tcb).toEqual(["ostd", "ostd-x86"]);
  }, 60_000);
});

describe("osdk tcb outside a workspace", () => {
  it("says what it needs instead of crashing", () => {
    expect(() => readWorkspace(join(root, "packages/osdk"))).toThrow(WorkspaceError);
    expect(() => readWorkspace(join(root, "packages/osdk"))).toThrow(/has no packages\/ folder/);
  });
});
