/**
 * `pnpm bench:cpu`: runs the CPU workloads natively (gcc -O2 -static) and on X86Core in the
 * same run and reports guest MIPS and the slowdown against the host. Natively each workload
 * runs NATIVE_FACTOR times larger (the workloads scale linearly) so its time is measurable;
 * native instructions are taken to be the emulated count times that factor (same binary,
 * same code path), and process start-up (an empty run) is subtracted. The core's time is the
 * process CPU time of the best of two runs after a warm-up run, because the machine is shared.
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

const startup = nativeSeconds(["none", "0"]).seconds;
console.log(`workload      size   guest instr   core s   core MIPS    native   native MIPS   slowdown`);
let totalCore = 0;
let totalNative = 0;
for (const [name, size] of WORKLOADS) {
  const native = nativeSeconds([name, String(size * NATIVE_FACTOR)]);
  let coreSeconds = Infinity;
  let result = new GuestProcess(elf, { argv: ["workloads", name, String(size)] }).run(1e11);
  for (let attempt = 0; attempt < 2; attempt++) {
    const guest = new GuestProcess(elf, { argv: ["workloads", name, String(size)] });
    const start = process.cpuUsage();
    result = guest.run(1e11);
    const used = process.cpuUsage(start);
    coreSeconds = Math.min(coreSeconds, (used.user + used.system) / 1e6);
  }
  const check = nativeSeconds([name, String(size)]);
  if (result.stdout !== check.stdout) throw new Error(`${name}: output differs: ${result.stdout} vs ${check.stdout}`);
  const nativeNet = Math.max(native.seconds - startup, 1e-6) / NATIVE_FACTOR;
  const instructions = result.instructions;
  totalCore += coreSeconds;
  totalNative += nativeNet;
  console.log(
    `${name.padEnd(10)} ${String(size).padStart(7)} ${instructions.toExponential(3).padStart(13)} ${coreSeconds.toFixed(2).padStart(8)} ${(instructions / coreSeconds / 1e6).toFixed(1).padStart(11)} ${(nativeNet * 1000).toFixed(2).padStart(8) + "ms"} ${(instructions / nativeNet / 1e6).toFixed(0).padStart(13)} ${(coreSeconds / nativeNet).toFixed(0).padStart(9)}x`,
  );
}
console.log(`total slowdown ${(totalCore / totalNative).toFixed(0)}x (process start-up of ${(startup * 1000).toFixed(1)} ms subtracted from native times)`);
