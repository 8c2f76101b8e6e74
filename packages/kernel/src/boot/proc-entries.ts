/**
 * The kernel's part of /proc: one directory per live process (`/proc/<pid>/{exe, cmdline,
 * comm, stat, status, fd/}`) for ps, top and readlink("/proc/self/exe"), `/proc/self` as a
 * link to the caller's directory, and meminfo, uptime, loadavg and version, all generated
 * from kernel state at read time.
 */

import { Timer } from "@asterism/ostd";
import { procDir, type ProcFs, type ProcNode } from "@asterism/svc-fs";
import type { Kernel } from "../kernel.ts";
import type { Process } from "../process/process.ts";

function stateLetter(process: Process): string {
  if (process.isZombie) return "Z";
  if (process.stopped) return "T";
  return process.sleepingOn === undefined ? "R" : "S";
}

/** /proc/<pid>/stat: the 52 fields procps reads; times and memory are reported as 0. */
function processStat(process: Process): string {
  const fields = [process.pid, `(${process.name})`, stateLetter(process), process.parent?.pid ?? 0, process.pgid, process.sid, 0, -1, 0];
  return `${fields.join(" ")}${" 0".repeat(43)}\n`;
}

function processStatus(process: Process): string {
  const { uid, euid, gid, egid } = process.credentials;
  return [
    `Name:\t${process.name}`,
    `State:\t${stateLetter(process)}`,
    `Pid:\t${String(process.pid)}`,
    `PPid:\t${String(process.parent?.pid ?? 0)}`,
    `Uid:\t${String(uid)}\t${String(euid)}\t${String(euid)}\t${String(euid)}`,
    `Gid:\t${String(gid)}\t${String(egid)}\t${String(egid)}\t${String(egid)}`,
    `Threads:\t1`,
    "",
  ].join("\n");
}

function fdDirectory(kernel: Kernel, process: Process): ProcNode {
  const link = (fd: number): ProcNode => {
    const file = process.files.get(fd);
    const target = (): string => (file.pathName.length > 0 ? file.pathName : kernel.vfs.pathOf(file.place));
    return { kind: "symlink", target, jump: () => file.place };
  };
  return {
    kind: "dir",
    mode: 0o500,
    list: () => process.files.openDescriptors().map(String),
    lookup: (name) => {
      const fd = Number(name);
      return /^\d+$/.test(name) && process.files.has(fd) ? link(fd) : undefined;
    },
  };
}

function processDirectory(kernel: Kernel, process: Process): ProcNode {
  const owner = (): { uid: number; gid: number } => ({ uid: process.credentials.uid, gid: process.credentials.gid });
  return procDir(
    new Map<string, ProcNode>([
      ["exe", { kind: "symlink", target: () => process.executable }],
      ["cwd", { kind: "symlink", target: () => "/", jump: () => process.fs.cwd }],
      ["cmdline", { kind: "file", read: () => process.commandLine.map((arg) => `${arg}\0`).join("") }],
      ["comm", { kind: "file", read: () => `${process.name}\n` }],
      ["stat", { kind: "file", read: () => processStat(process) }],
      ["status", { kind: "file", read: () => processStatus(process) }],
      ["fd", fdDirectory(kernel, process)],
    ]),
    { owner },
  );
}

export function registerProcEntries(proc: ProcFs, kernel: Kernel): void {
  proc.addDynamicEntries({
    list: () => kernel.table.all.filter((process) => !process.isZombie).map((process) => String(process.pid)),
    lookup: (name) => {
      const process = /^\d+$/.test(name) ? kernel.table.get(Number(name)) : undefined;
      return process === undefined || process.isZombie ? undefined : processDirectory(kernel, process);
    },
  });
  proc.register("self", { kind: "symlink", target: () => String(kernel.currentProcess()?.pid ?? 0) });
  proc.register("meminfo", {
    kind: "file",
    read: () => {
      const total = Math.floor(kernel.memoryBytes / 1024);
      const free = Math.max(0, total - Math.floor(kernel.usedMemoryBytes / 1024));
      const line = (name: string, kib: number): string => `${`${name}:`.padEnd(16)}${String(kib).padStart(8)} kB\n`;
      return [line("MemTotal", total), line("MemFree", free), line("MemAvailable", free), line("Buffers", 0), line("Cached", 0), line("SwapTotal", 0), line("SwapFree", 0)].join("");
    },
  });
  proc.register("uptime", { kind: "file", read: () => `${(Timer.now() / 1e9).toFixed(2)} 0.00\n` });
  proc.register("loadavg", { kind: "file", read: () => `0.00 0.00 0.00 1/${String(kernel.table.all.length)} ${String(kernel.table.all.length)}\n` });
  proc.register("version", { kind: "file", read: () => "Linux version 6.1.0-asterism (asterism) #1 SMP Asterism framekernel\n" });
}
