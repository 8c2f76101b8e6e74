/**
 * `pnpm bench:cpu`: runs the CPU workloads natively (gcc -O2 -static) and on X86Core in the
 * same run and reports guest MIPS and the slowdown against the host. Natively each workload
 * runs NATIVE_FACTOR times larger (the workloads scale linearly) so its time is measurable;
 * native instructions are taken to be the emulated count times that factor (same binary,
 * same code path), and process start-up (an empty run) is subtracted. The core's time is
 * process CPU time: of the workload's first run (nothing of it translated yet), and the best
 * of two runs again (its translations reused), because the machine is shared.
 */

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { spawnSync } from "node:child_process";
import { compile } from "../../test/cpu/support/build-programs.ts";
import { GuestProcess } from "../../test/cpu/support/linux-shim.ts";

const source = fileURLToPath(new URL("./workloads.c", import.meta.url));
const binary = compile(source, "gcc", ["-O2"]);
const elf = readFileSync(binary);
const scale = Number(process.env.BENCH_SCALE ?? "1");

const NATIVE_FACTOR = 100;

const WORKLOADS: readonly [string, number][] = [
  ["sha256", Math.round(2048 * scale)],
  ["compress", Math.round(1024 * scale)],
  ["sort", Math.round(200000 * scale)],
  ["float", Math.round(400 * scale)],
];

function nativeSeconds(args: readonly string[]): { seconds: number; stdout: string } {
  let best = Infinity;
  let stdout = "";
  for (let i = 0; i < 3; i++) {
    const start = process.hrtime.bigint();
    const result = spawnSync(binary, args, { encoding: "utf8" });
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e9);
    stdout = result.stdout;
  }
  return { seconds: best, stdout };
}

/** Process CPU seconds of one run of the workload on a fresh core. */
function coreRun(name: string, size: number): { seconds: number; stdout: string; instructions: number } {
  const guest = new GuestProcess(elf, { argv: ["workloads", name, String(size)] });
  const start = process.cpuUsage();
  const result = guest.run(1e11);
  const used = process.cpuUsage(start);
  return { seconds: (used.user + used.system) / 1e6, stdout: result.stdout, instructions: result.instructions };
}

const startup = nativeSeconds(["none", "0"]).seconds;
// Warm the emulator itself (V8 compiles the interpreter and dispatcher on first use) with a
// run that only starts and exits; the workloads' own code is still untranslated after it.
coreRun("none", 0);
console.log(`workload      size   guest instr   first s   first MIPS  first x   again s   again MIPS  again x   native   native MIPS`);
let totalFirst = 0;
let totalAgain = 0;
let totalNative = 0;
for (const [name, size] of WORKLOADS) {
  const native = nativeSeconds([name, String(size * NATIVE_FACTOR)]);
  // The first run starts with nothing translated for this workload; later runs of the same
  // binary reuse its translations (jit/translation-cache.ts), as a program run again does.
  const first = coreRun(name, size);
  const again = Math.min(coreRun(name, size).seconds, coreRun(name, size).seconds);
  const check = nativeSeconds([name, String(size)]);
  if (first.stdout !== check.stdout) throw new Error(`${name}: output differs: ${first.stdout} vs ${check.stdout}`);
  const nativeNet = Math.max(native.seconds - startup, 1e-6) / NATIVE_FACTOR;
  const instructions = first.instructions;
  totalFirst += first.seconds;
  totalAgain += again;
  totalNative += nativeNet;
  const mips = (seconds: number): string => (instructions / seconds / 1e6).toFixed(1);
  console.log(
    `${name.padEnd(10)} ${String(size).padStart(7)} ${instructions.toExponential(3).padStart(13)} ${first.seconds.toFixed(2).padStart(9)} ${mips(first.seconds).padStart(12)} ${(first.seconds / nativeNet).toFixed(0).padStart(7)}x ${again.toFixed(2).padStart(9)} ${mips(again).padStart(12)} ${(again / nativeNet).toFixed(0).padStart(7)}x ${(nativeNet * 1000).toFixed(2).padStart(7) + "ms"} ${(instructions / nativeNet / 1e6).toFixed(0).padStart(13)}`,
  );
}
console.log(
  `total slowdown: first run ${(totalFirst / totalNative).toFixed(0)}x, run again ${(totalAgain / totalNative).toFixed(0)}x (process start-up of ${(startup * 1000).toFixed(1)} ms subtracted from native times)`,
);
