/**
 * The package graph as an SVG, with the TCB boundary drawn around the trusted packages.
 * Hand-written rather than through Graphviz so that CI needs nothing outside npm: the
 * layout is simple because the architecture is layered (kernel over services over the
 * framework over the board).
 */
import type { TcbMeasure } from "./measure.ts";

const BOX = { width: 168, height: 52, gapX: 28, gapY: 64, margin: 32 } as const;

interface Placed {
  readonly dir: string;
  readonly label: string;
  readonly x: number;
  readonly y: number;
  readonly trusted: boolean;
}

function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Rows from the top: image packages by their height above the TCB, then the TCB, then the board. */
function rows(measure: TcbMeasure, board: string): string[][] {
  const image = measure.packages.filter((pkg) => pkg.inImage);
  const untrusted = image.filter((pkg) => !pkg.inTcb).map((pkg) => pkg.dir);
  const height = new Map<string, number>();
  const heightOf = (dir: string, seen: Set<string>): number => {
    const known = height.get(dir);
    if (known !== undefined) return known;
    seen.add(dir);
    const below = measure.edges
      .filter((e) => e.from === dir && !e.typeOnly && untrusted.includes(e.to) && !seen.has(e.to))
      .map((e) => heightOf(e.to, seen) + 1);
    const value = Math.max(0, ...below);
    height.set(dir, value);
    return value;
  };
  const levels: string[][] = [];
  for (const dir of untrusted) {
    const level = heightOf(dir, new Set());
    (levels[level] ??= []).push(dir);
  }
  return [...levels.reverse().filter((row) => row.length > 0), [...measure.tcb], [board]];
}

export function renderTcbPicture(measure: TcbMeasure, board: string): string {
  const layout = rows(measure, board);
  const widest = Math.max(...layout.map((row) => row.length));
  const width = Math.max(760, BOX.margin * 2 + widest * BOX.width + (widest - 1) * BOX.gapX);
  const placed = new Map<string, Placed>();
  layout.forEach((row, rowIndex) => {
    const rowWidth = row.length * BOX.width + (row.length - 1) * BOX.gapX;
    row.forEach((dir, column) => {
      const pkg = measure.packages.find((p) => p.dir === dir);
      const x = (width - rowWidth) / 2 + column * (BOX.width + BOX.gapX);
      const y = BOX.margin + 56 + rowIndex * (BOX.height + BOX.gapY);
      const label = pkg === undefined ? "hardware (not counted)" : `${pkg.lines.toLocaleString("en-US")} lines`;
      placed.set(dir, { dir, label, x, y, trusted: pkg?.inTcb ?? false });
    });
  });
  const heightPx = BOX.margin * 2 + 56 + layout.length * (BOX.height + BOX.gapY) - BOX.gapY;
  const parts: string[] = [];

  const tcbBoxes = [...placed.values()].filter((p) => p.trusted);
  if (tcbBoxes.length > 0) {
    const left = Math.min(...tcbBoxes.map((p) => p.x)) - 14;
    const right = Math.max(...tcbBoxes.map((p) => p.x + BOX.width)) + 14;
    const top = Math.min(...tcbBoxes.map((p) => p.y)) - 24;
    const bottom = Math.max(...tcbBoxes.map((p) => p.y + BOX.height)) + 12;
    parts.push(
      `<rect x="${left}" y="${top}" width="${right - left}" height="${bottom - top}" rx="10" fill="#fff1f0" stroke="#c0392b" stroke-width="2" stroke-dasharray="8 5"/>`,
      `<text x="${left + 10}" y="${top + 16}" font-size="13" fill="#c0392b" font-weight="bold">TCB: ${measure.percent.toFixed(1)}% of the image (${measure.tcbLines.toLocaleString("en-US")} / ${measure.imageLines.toLocaleString("en-US")} lines)</text>`,
    );
  }
  for (const edge of measure.edges) {
    const from = placed.get(edge.from);
    const to = placed.get(edge.to);
    if (from === undefined || to === undefined) continue;
    const dash = edge.typeOnly ? ` stroke-dasharray="4 4"` : "";
    const sameRow = from.y === to.y;
    const rightward = to.x > from.x;
    const [x1, y1] = sameRow ? [rightward ? from.x + BOX.width : from.x, from.y + BOX.height / 2] : [from.x + BOX.width / 2, from.y + BOX.height];
    const [x2, y2] = sameRow ? [rightward ? to.x : to.x + BOX.width, to.y + BOX.height / 2] : [to.x + BOX.width / 2, to.y];
    parts.push(
      `<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="${edge.typeOnly ? "#999" : "#444"}"${dash} marker-end="url(#arrow)"/>`,
    );
  }
  for (const box of placed.values()) {
    const fill = box.dir === board ? "#eeeeee" : box.trusted ? "#f8c9c4" : "#d6eaf8";
    parts.push(
      `<rect x="${box.x}" y="${box.y}" width="${BOX.width}" height="${BOX.height}" rx="6" fill="${fill}" stroke="#333"/>`,
      `<text x="${box.x + BOX.width / 2}" y="${box.y + 22}" text-anchor="middle" font-size="14" font-weight="bold">${escape(box.dir)}</text>`,
      `<text x="${box.x + BOX.width / 2}" y="${box.y + 40}" text-anchor="middle" font-size="12" fill="#333">${escape(box.label)}</text>`,
    );
  }
  const tools = measure.packages.filter((pkg) => !pkg.inImage).map((pkg) => pkg.dir);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${heightPx}" viewBox="0 0 ${width} ${heightPx}" font-family="sans-serif">`,
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#444"/></marker></defs>`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${BOX.margin}" y="${BOX.margin}" font-size="16" font-weight="bold">Asterism kernel image: package graph and TCB boundary</text>`,
    `<text x="${BOX.margin}" y="${BOX.margin + 18}" font-size="12" fill="#555">solid: run-time import; dashed: type-only import</text>`,
    `<text x="${BOX.margin}" y="${BOX.margin + 33}" font-size="12" fill="#555">outside the image (host tools, unused services): ${escape(tools.join(", ") || "none")}</text>`,
    ...parts,
    `</svg>`,
    "",
  ].join("\n");
}
