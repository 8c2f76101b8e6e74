import { readFileSync } from "node:fs";
import { GuestProcess } from "./test/cpu/support/linux-shim.ts";
const elf = readFileSync("/tmp/wl");
const [name, size] = [process.argv[2]!, process.argv[3]!];
const t = performance.now();
const r = new GuestProcess(elf, { argv: ["workloads", name, size] }).run(1e11);
console.log(name, r.stdout.trim(), r.instructions, ((performance.now() - t) / 1000).toFixed(2) + "s", (r.instructions / (performance.now() - t) / 1000).toFixed(1) + " MIPS");
