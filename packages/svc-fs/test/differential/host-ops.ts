/**
 * The host half of the differential test: runs an operation on a host scratch directory
 * through Node's thin syscall wrappers and reports "ok", a result, or the errno name. No
 * imports from the package, so the unprivileged runner can load it on its own.
 */
import * as fs from "node:fs";
import { join } from "node:path";

export type Operation =
  | { op: "mkdir"; path: string }
  | { op: "write"; path: string; flags: number; size: number }
  | { op: "open"; path: string; flags: number }
  | { op: "rename"; from: string; to: string }
  | { op: "unlink"; path: string }
  | { op: "rmdir"; path: string }
  | { op: "link"; from: string; to: string }
  | { op: "symlink"; target: string; path: string }
  | { op: "stat"; path: string; follow: boolean }
  | { op: "truncate"; path: string; size: number }
  | { op: "chmod"; path: string; mode: number }
  | { op: "readlink"; path: string }
  | { op: "list"; path: string }
  | { op: "chown"; path: string; uid: number; gid: number }
  | { op: "utimes"; path: string; seconds: number };

/** Who performs an operation in the multi-user variant: root, two users sharing group 100, a stranger. */
export const IDENTITIES = [
  { uid: 0, gid: 0, groups: [] },
  { uid: 1000, gid: 100, groups: [100] },
  { uid: 1001, gid: 1001, groups: [100] },
  { uid: 1002, gid: 1002, groups: [] },
] as const;

/** One step of a sequence: the operation and, in the multi-user variant, the index of who runs it. */
export interface Step {
  readonly who: number | null;
  readonly operation: Operation;
}

/** Result of a stat, in the same words on both sides (directories' nlink differs between file systems). */
export function describeStat(stat: { mode: number; size: number; nlink: number; uid: number; gid: number }): string {
  const type = (stat.mode & 0o170000) >>> 12;
  const permissions = `${(stat.mode & 0o7777).toString(8)} ${String(stat.uid)}:${String(stat.gid)}`;
  return type === 4 ? `dir ${permissions}` : `type${String(type)} ${permissions} size${String(stat.size)} nlink${String(stat.nlink)}`;
}

function outcome(action: () => string): string {
  try {
    return action();
  } catch (error) {
    if (error instanceof Error && "code" in error && typeof error.code === "string") return error.code;
    throw error;
  }
}

export function runHost(base: string, operation: Operation): string {
  // Plain concatenation: path.join would resolve ".." lexically, which the kernel must not do.
  const at = (path: string): string => `${base}/${path}`;
  return outcome(() => {
    switch (operation.op) {
      case "mkdir":
        fs.mkdirSync(at(operation.path), 0o755);
        return "ok";
      case "write": {
        const fd = fs.openSync(at(operation.path), operation.flags, 0o644);
        fs.writeSync(fd, new Uint8Array(operation.size).fill(0x61));
        fs.closeSync(fd);
        return "ok";
      }
      case "open":
        fs.closeSync(fs.openSync(at(operation.path), operation.flags));
        return "ok";
      case "rename":
        fs.renameSync(at(operation.from), at(operation.to));
        return "ok";
      case "unlink":
        fs.unlinkSync(at(operation.path));
        return "ok";
      case "rmdir":
        fs.rmdirSync(at(operation.path));
        return "ok";
      case "link":
        fs.linkSync(at(operation.from), at(operation.to));
        return "ok";
      case "symlink":
        fs.symlinkSync(operation.target, at(operation.path));
        return "ok";
      case "stat": {
        return describeStat(operation.follow ? fs.statSync(at(operation.path)) : fs.lstatSync(at(operation.path)));
      }
      case "truncate": {
        // Node has no truncate(2) binding (truncateSync is open + ftruncate): spell it out.
        const fd = fs.openSync(at(operation.path), fs.constants.O_RDWR);
        try {
          fs.ftruncateSync(fd, operation.size);
        } finally {
          fs.closeSync(fd);
        }
        return "ok";
      }
      case "chmod":
        fs.chmodSync(at(operation.path), operation.mode);
        return "ok";
      case "readlink":
        return fs.readlinkSync(at(operation.path));
      case "list":
        return fs.readdirSync(at(operation.path)).sort().join(",");
      case "chown":
        fs.chownSync(at(operation.path), operation.uid, operation.gid);
        return "ok";
      case "utimes": {
        fs.utimesSync(at(operation.path), operation.seconds, operation.seconds);
        const stat = fs.statSync(at(operation.path));
        return `mtime ${String(Math.floor(stat.mtimeMs / 1000))}`;
      }
    }
  });
}

/** The whole tree below `base`, one line per entry, sorted. */
export function hostTree(base: string, relative = ""): string[] {
  const lines: string[] = [];
  for (const name of fs.readdirSync(join(base, relative)).sort()) {
    const path = relative === "" ? name : `${relative}/${name}`;
    const stat = fs.lstatSync(join(base, path));
    if (stat.isSymbolicLink()) lines.push(`${path} -> ${fs.readlinkSync(join(base, path))}`);
    else lines.push(`${path} ${describeStat(stat)}`);
    if (stat.isDirectory()) lines.push(...hostTree(base, path));
  }
  return lines;
}
