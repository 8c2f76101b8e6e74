import { readFileSync } from "node:fs";
import { GuestProcess } from "/work/main/packages/board-x86/test/cpu/support/linux-shim.ts";
import { X86Core } from "/work/main/packages/board-x86/src/cpu/x86-core.ts";
const counts = new Map<string, number>();
const proto = X86Core.prototype as any;
const step = proto.step;
proto.step = function () { step.call(this); const k = this.opcode.toString(16) + (this.repPrefix ? "/" + this.repPrefix.toString(16) : "") + (this.prefix66 ? "/66" : "") + "/s" + this.operandSize + (this.modrmMod === 3 ? "" : "/m"); counts.set(k, (counts.get(k) ?? 0) + 1); this.modrmMod = 3; };
const elf = readFileSync("/tmp/wl");
for (const [name, size] of [["sha256", "64"], ["compress", "64"], ["sort", "10000"], ["float", "20"]]) {
  counts.clear();
  const r = new GuestProcess(elf, { argv: ["workloads", name, size] }).run(1e10);
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  console.log(name, r.stdout.trim(), total, [...counts].sort((a, b) => b[1] - a[1]).slice(0, 22).map(([k, v]) => `${k}:${(100 * v / total).toFixed(1)}`).join(" "));
}
