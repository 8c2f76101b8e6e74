/**
 * `pnpm bench` for the kernel: runs test/fixtures/bench.c (musl, static) natively and as
 * init on Asterism (real CPU, host clock) and prints each figure with its ratio to native,
 * plus the time from power-on to the program's first output ("boot to first prompt").
 * Host tool: needs musl-gcc.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { boot } from "@asterism/ostd-x86";
import { createBoard } from "@asterism/board-x86";
import { main } from "../src/main.ts";
import { buildCpio } from "../initramfs/cpio-writer.ts";

const binary = join(mkdtempSync(join(tmpdir(), "asterism-bench-")), "bench");
try {
  execFileSync("musl-gcc", ["-static", "-O2", "-o", binary, join(import.meta.dirname, "../test/fixtures/bench.c")]);
} catch {
  console.log("kernel bench skipped: musl-gcc is not installed (apt-get install musl-tools)");
  process.exit(0);
}

function parse(output: string): Map<string, { value: number; unit: string }> {
  const figures = new Map<string, { value: number; unit: string }>();
  for (const line of output.split(/\r?\n/)) {
    const match = /^(\S+) ([\d.]+) (\S+)$/.exec(line);
    if (match?.[1] !== undefined) figures.set(match[1], { value: Number(match[2]), unit: match[3] ?? "" });
  }
  return figures;
}

const nativeStart = performance.now();
const native = execFileSync(binary, { encoding: "utf8" });
const nativeMs = performance.now() - nativeStart;

let output = "";
let firstOutputMs: number | undefined;
const started = performance.now();
const board = createBoard({
  memorySize: 256 * 1024 * 1024,
  clock: "host",
  initramfs: buildCpio([{ path: "bench", mode: 0o100755, data: new Uint8Array(readFileSync(binary)) }]),
  commandLine: "init=/bench",
  console: {
    input: null,
    output: {
      write: (bytes: Uint8Array) => {
        firstOutputMs ??= performance.now() - started;
        output += new TextDecoder().decode(bytes);
      },
    },
  },
});
const exitCode = await board.run((machine) => boot(machine, main));
const totalMs = performance.now() - started;

const nativeFigures = parse(native);
const asterismFigures = parse(output);
console.log(`boot to first output: ${(firstOutputMs ?? Number.NaN).toFixed(0)} ms (whole run ${totalMs.toFixed(0)} ms, native ${nativeMs.toFixed(0)} ms), exit ${String(exitCode)}`);
console.log("figure              native        asterism      ratio");
for (const [name, figure] of nativeFigures) {
  const ours = asterismFigures.get(name);
  const ratio = ours === undefined ? Number.NaN : figure.unit === "MiB/s" ? figure.value / ours.value : ours.value / figure.value;
  console.log(`${name.padEnd(18)}  ${`${String(figure.value)} ${figure.unit}`.padEnd(12)}  ${ours === undefined ? "missing".padEnd(12) : `${String(ours.value)} ${ours.unit}`.padEnd(12)}  ${Number.isNaN(ratio) ? "-" : `${ratio.toFixed(1)}x slower`}`);
}
if (asterismFigures.size === 0) console.log(output);
