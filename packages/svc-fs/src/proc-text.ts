/**
 * Formatters for the procfs files user-space tools parse (ps, top, free, uptime, mount), so the
 * kernel only supplies numbers and the byte-exact Linux layouts live in one tested place.
 * Pure functions: they are meant to be called from `ProcFileNode.read` callbacks.
 */

/** Per-process numbers of /proc/<pid>/stat; omitted fields print as 0. */
export interface ProcessStatFields {
  readonly pid: number;
  readonly comm: string;
  /** R (running), S (sleeping), D (disk sleep), T (stopped), Z (zombie), ... */
  readonly state: string;
  readonly ppid: number;
  readonly pgrp: number;
  readonly session: number;
  readonly ttyNr?: number;
  readonly tpgid?: number;
  readonly minorFaults?: number;
  readonly majorFaults?: number;
  /** Clock ticks (USER_HZ, 100 per second). */
  readonly userTicks?: number;
  readonly systemTicks?: number;
  readonly childUserTicks?: number;
  readonly childSystemTicks?: number;
  readonly priority?: number;
  readonly nice?: number;
  readonly threads?: number;
  /** Start time after boot, in clock ticks. */
  readonly startTicks?: number;
  readonly virtualBytes?: number;
  readonly residentPages?: number;
  readonly startCode?: number;
  readonly endCode?: number;
  readonly startStack?: number;
  readonly exitSignal?: number;
  readonly startBrk?: number;
  readonly argStart?: number;
  readonly argEnd?: number;
  readonly envStart?: number;
  readonly envEnd?: number;
  readonly exitCode?: number;
}

/** RLIM_INFINITY as /proc prints rsslim (unsigned 64-bit all-ones). */
const RSS_LIMIT_UNLIMITED = "18446744073709551615";

/** The one line of /proc/<pid>/stat, all 52 fields, as Linux prints it. */
export function formatProcessStat(fields: ProcessStatFields): string {
  const n = (value: number | undefined): string => String(value ?? 0);
  const values = [
    n(fields.pid),
    `(${fields.comm.slice(0, 15)})`,
    fields.state,
    n(fields.ppid),
    n(fields.pgrp),
    n(fields.session),
    n(fields.ttyNr),
    n(fields.tpgid ?? -1),
    "4194304",
    n(fields.minorFaults),
    "0",
    n(fields.majorFaults),
    "0",
    n(fields.userTicks),
    n(fields.systemTicks),
    n(fields.childUserTicks),
    n(fields.childSystemTicks),
    n(fields.priority ?? 20),
    n(fields.nice),
    n(fields.threads ?? 1),
    "0",
    n(fields.startTicks),
    n(fields.virtualBytes),
    n(fields.residentPages),
    RSS_LIMIT_UNLIMITED,
    n(fields.startCode),
    n(fields.endCode),
    n(fields.startStack),
    "0",
    "0",
    "0",
    "0",
    "0",
    "0",
    "0",
    "0",
    "0",
    n(fields.exitSignal ?? 17),
    "0",
    "0",
    "0",
    "0",
    "0",
    "0",
    "0",
    "0",
    n(fields.startBrk),
    n(fields.argStart),
    n(fields.argEnd),
    n(fields.envStart),
    n(fields.envEnd),
    n(fields.exitCode),
  ];
  return `${values.join(" ")}\n`;
}

/** /proc/<pid>/cmdline: the arguments, each NUL-terminated (byte strings). */
export function formatCmdline(args: readonly string[]): string {
  return args.map((arg) => `${arg}\0`).join("");
}

/** /proc/meminfo lines, values in KiB, in the given order ("MemTotal", "MemFree", ...). */
export function formatMeminfo(entries: readonly (readonly [name: string, kib: number])[]): string {
  return entries.map(([name, kib]) => `${`${name}:`.padEnd(16)}${String(kib).padStart(8)} kB\n`).join("");
}

/** /proc/uptime: seconds since boot and idle seconds, with two decimals. */
export function formatUptime(uptimeSeconds: number, idleSeconds: number): string {
  return `${uptimeSeconds.toFixed(2)} ${idleSeconds.toFixed(2)}\n`;
}

/** /proc/loadavg. */
export function formatLoadavg(loads: readonly [number, number, number], running: number, total: number, lastPid: number): string {
  return `${loads.map((load) => load.toFixed(2)).join(" ")} ${String(running)}/${String(total)} ${String(lastPid)}\n`;
}

/** One line of /proc/mounts. */
export interface MountLine {
  readonly source: string;
  readonly path: string;
  readonly type: string;
  readonly readOnly: boolean;
}

/** /proc/mounts escapes space, tab, newline and backslash as octal. */
function escapeMountField(field: string): string {
  return field.replace(/[ \t\n\\]/g, (char) => `\\${char.charCodeAt(0).toString(8).padStart(3, "0")}`);
}

/** /proc/mounts (and /proc/self/mounts). */
export function formatMounts(mounts: readonly MountLine[]): string {
  return mounts
    .map((mount) => `${escapeMountField(mount.source)} ${escapeMountField(mount.path)} ${mount.type} ${mount.readOnly ? "ro" : "rw"} 0 0\n`)
    .join("");
}

/** /proc/filesystems: file-system type -> whether it needs a block device. */
export function formatFilesystems(types: ReadonlyMap<string, boolean>): string {
  return [...types].map(([type, needsDevice]) => `${needsDevice ? "" : "nodev"}\t${type}\n`).join("");
}
