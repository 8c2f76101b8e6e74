import { readFileSync } from "node:fs";
import { GuestProcess } from "./test/cpu/support/linux-shim.ts";
import { X86Core } from "./src/cpu/x86-core.ts";
const counts = new Map<string, number>();
const proto = X86Core.prototype as any;
const ex = proto.executeAt;
proto.executeAt = function (p: number, r: number, l: number) { ex.call(this, p, r, l); const k = (l === 0 ? "T:" : "I:") + this.opcode.toString(16) + (this.repPrefix ? "/" + this.repPrefix.toString(16) : "") + (this.prefix66 ? "/66" : "") + "/s" + this.operandSize + "/r" + (this.modrmReg & 7); counts.set(k, (counts.get(k) ?? 0) + 1); };
const elf = readFileSync("/tmp/wl");
for (const [name, size] of [["sha256", "256"], ["compress", "64"], ["sort", "20000"], ["float", "40"]]) {
  counts.clear();
  const r = new GuestProcess(elf, { argv: ["workloads", name, size] }).run(1e10);
  const total = r.instructions;
  console.log(name, total, [...counts].sort((a, b) => b[1] - a[1]).slice(0, 16).map(([k, v]) => `${k}:${(100 * v / total).toFixed(1)}`).join(" "));
}
