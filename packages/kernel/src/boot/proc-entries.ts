/**
 * The kernel's part of /proc: /proc/self (the calling process's exe, cmdline, fd, stat),
 * /proc/meminfo, /proc/uptime and /proc/version, generated from kernel state at read time.
 */

import { Timer } from "@asterism/ostd";
import { procDir, type ProcFs, type ProcNode } from "@asterism/svc-fs";
import type { Kernel } from "../kernel.ts";
import type { Process } from "../process/process.ts";

const MEMINFO_KIB = 65536;

function processStat(process: Process): string {
  const state = process.isZombie ? "Z" : process.stopped ? "T" : "R";
  const fields = [process.pid, `(${process.name})`, state, process.parent?.pid ?? 0, process.pgid, process.sid, 0, -1, 0];
  return `${fields.join(" ")}${" 0".repeat(43)}\n`;
}

function processDir(process: Process): ProcNode {
  const fds = (): Map<string, ProcNode> =>
    new Map(process.files.openDescriptors().map((fd) => [String(fd), { kind: "symlink", target: () => process.files.get(fd).pathName }]));
  return procDir(
    new Map<string, ProcNode>([
      ["exe", { kind: "symlink", target: () => process.executable }],
      ["cmdline", { kind: "file", read: () => process.commandLine.map((arg) => `${arg}\0`).join("") }],
      ["comm", { kind: "file", read: () => `${process.name}\n` }],
      ["stat", { kind: "file", read: () => processStat(process) }],
      ["fd", { kind: "dir", list: () => fds().keys(), lookup: (name) => fds().get(name) }],
    ]),
  );
}

export function registerProcEntries(proc: ProcFs, kernel: Kernel): void {
  proc.register("self", {
    kind: "dir",
    list: () => {
      const process = kernel.currentProcess();
      return process === undefined ? [] : ["exe", "cmdline", "comm", "stat", "fd"];
    },
    lookup: (name) => {
      const process = kernel.currentProcess();
      if (process === undefined) return undefined;
      const dir = processDir(process);
      return dir.kind === "dir" ? dir.lookup(name) : undefined;
    },
  });
  proc.register("meminfo", {
    kind: "file",
    read: () => `MemTotal:       ${String(MEMINFO_KIB)} kB\nMemFree:        ${String(MEMINFO_KIB / 2)} kB\nMemAvailable:   ${String(MEMINFO_KIB / 2)} kB\n`,
  });
  proc.register("uptime", { kind: "file", read: () => `${(Timer.now() / 1e9).toFixed(2)} 0.00\n` });
  proc.register("version", { kind: "file", read: () => "Linux version 6.1.0-asterism (asterism) #1 SMP Asterism framekernel\n" });
}
