/** The human-readable TCB report that CI prints on every run. */
import type { TcbMeasure } from "./measure.ts";

export function formatTcbReport(measure: TcbMeasure, picturePath: string): string {
  const rows = measure.packages.map((pkg) => [
    pkg.dir,
    pkg.inTcb ? "TCB" : pkg.inImage ? "safe" : "not in image",
    pkg.lines.toLocaleString("en-US"),
    String(pkg.unsafeSites),
    pkg.reason,
  ]);
  const header = ["package", "role", "lines", "unsafe sites", "why trusted"];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)));
  const line = (cells: readonly string[]): string =>
    cells.map((cell, column) => (column === 2 || column === 3 ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0))).join("  ").trimEnd();
  const verdict = measure.matchesDeclaration
    ? `matches the declared TCB (${measure.declaredTcb.join(", ")})`
    : `DIFFERS from the declared TCB: declared ${measure.declaredTcb.join(", ") || "(none)"}, measured ${measure.tcb.join(", ") || "(none)"}`;
  return [
    line(header),
    line(widths.map((width) => "-".repeat(width))),
    ...rows.map(line),
    "",
    `TCB: ${measure.tcb.join(", ")} = ${measure.tcbLines.toLocaleString("en-US")} of ${measure.imageLines.toLocaleString("en-US")} kernel-image source lines = ${measure.percent.toFixed(1)}% (Asterinas reports 14%)`,
    `The measured TCB ${verdict}.`,
    `Picture: ${picturePath}`,
  ].join("\n");
}
