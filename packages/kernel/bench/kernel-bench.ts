/**
 * `pnpm bench` for the kernel: runs test/fixtures/bench.c (musl, static) natively and as
 * init on Asterism (real CPU, host clock) and prints each figure with its ratio to native,
 * plus the time from power-on to the program's first output ("boot to first prompt").
 * Host tool: needs musl-gcc.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { boot } from "@asterism/ostd-x86";
import { createBoard } from "@asterism/board-x86";
import { main } from "../src/main.ts";
import { buildCpio } from "../initramfs/cpio-writer.ts";
import { buildDefaultInitramfs } from "../initramfs/default-initramfs.ts";

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

/** Boot to the interactive busybox shell's first prompt, then type `exit`. */
async function bootToPrompt(): Promise<number | undefined> {
  let screen = "";
  let promptMs: number | undefined;
  let typeLine: ((chunk: Buffer) => void) | undefined;
  const start = performance.now();
  const shellBoard = createBoard({
    memorySize: 256 * 1024 * 1024,
    clock: "host",
    initramfs: buildDefaultInitramfs({ busybox: "/bin/busybox" }),
    console: {
      input: {
        on: (_event: "data", listener: (chunk: Buffer) => void) => { typeLine = listener; },
        off: () => undefined,
        resume: () => undefined,
        pause: () => undefined,
      },
      output: {
        write: (bytes: Uint8Array) => {
          screen += new TextDecoder().decode(bytes);
          if (promptMs === undefined && screen.includes("# ")) {
            promptMs = performance.now() - start;
            typeLine?.(Buffer.from("exit\n"));
          }
        },
      },
    },
  });
  await shellBoard.run((machine) => boot(machine, main));
  return promptMs;
}

/** The figures of bench.c natively and as init on Asterism. */
async function benchFigures(): Promise<void> {
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
}

// OSTD boots once per process, so each board run gets its own process.
if (process.argv.includes("--prompt")) {
  const promptMs = await bootToPrompt();
  console.log(`boot to first busybox prompt: ${promptMs === undefined ? "no prompt" : `${promptMs.toFixed(0)} ms`}`);
} else {
  await benchFigures();
  if (existsSync("/bin/busybox")) process.stdout.write(execFileSync(process.execPath, [import.meta.filename, "--prompt"], { encoding: "utf8" }));
}
