/**
 * The VFS half of the differential test: the same operations through the VFS API, reported
 * in the same words as the host half.
 */
import {
  AT_REMOVEDIR,
  AT_SYMLINK_NOFOLLOW,
  FsError,
  O_DIRECTORY,
  O_RDONLY,
  O_RDWR,
  bytesToPath,
  errnoName,
  type FsContext,
  type Vfs,
} from "../../src/index.ts";
import { type Operation, describeStat } from "./host-ops.ts";

function direntNames(bytes: Uint8Array): string[] {
  const names: string[] = [];
  for (let offset = 0; offset < bytes.length; ) {
    const reclen = (bytes[offset + 16] ?? 0) | ((bytes[offset + 17] ?? 0) << 8);
    names.push(bytesToPath(bytes.subarray(offset + 19, bytes.indexOf(0, offset + 19))));
    offset += reclen;
  }
  return names;
}

export async function runVfs(vfs: Vfs, ctx: FsContext, operation: Operation): Promise<string> {
  try {
    switch (operation.op) {
      case "mkdir":
        vfs.mkdir(ctx, null, operation.path, 0o755);
        return "ok";
      case "write": {
        const file = await vfs.open(ctx, null, operation.path, operation.flags, 0o644);
        await file.write(new Uint8Array(operation.size).fill(0x61));
        file.release();
        return "ok";
      }
      case "open":
        (await vfs.open(ctx, null, operation.path, operation.flags)).release();
        return "ok";
      case "rename":
        vfs.rename(ctx, null, operation.from, null, operation.to);
        return "ok";
      case "unlink":
        vfs.unlink(ctx, null, operation.path);
        return "ok";
      case "rmdir":
        vfs.unlink(ctx, null, operation.path, AT_REMOVEDIR);
        return "ok";
      case "link":
        vfs.link(ctx, null, operation.from, null, operation.to);
        return "ok";
      case "symlink":
        vfs.symlink(ctx, operation.target, null, operation.path);
        return "ok";
      case "stat": {
        return describeStat(vfs.stat(ctx, null, operation.path, operation.follow ? 0 : AT_SYMLINK_NOFOLLOW));
      }
      case "truncate": {
        const file = await vfs.open(ctx, null, operation.path, O_RDWR);
        try {
          file.truncate(operation.size);
        } finally {
          file.release();
        }
        return "ok";
      }
      case "chmod":
        vfs.chmod(ctx, null, operation.path, operation.mode);
        return "ok";
      case "readlink":
        return vfs.readlink(ctx, null, operation.path);
      case "chown":
        vfs.chown(ctx, null, operation.path, operation.uid, operation.gid);
        return "ok";
      case "utimes": {
        const time = { sec: operation.seconds, nsec: 0 };
        vfs.utimens(ctx, null, operation.path, [time, time]);
        return `mtime ${String(vfs.stat(ctx, null, operation.path).mtime.sec)}`;
      }
      case "list": {
        const dir = await vfs.open(ctx, null, operation.path, O_RDONLY | O_DIRECTORY);
        const names = [...direntNames(dir.getdents64(65536))].filter((name) => name !== "." && name !== "..");
        dir.release();
        return names.sort().join(",");
      }
    }
  } catch (error) {
    if (error instanceof FsError) return errnoName(error.errno);
    throw error;
  }
}

/** The whole tree below `relative`, in hostTree's format. */
export async function vfsTree(vfs: Vfs, ctx: FsContext, relative = ""): Promise<string[]> {
  const lines: string[] = [];
  const dir = vfs.lookup(ctx, null, relative === "" ? "." : relative, AT_SYMLINK_NOFOLLOW).inode;
  if (dir.kind !== "dir") return lines;
  const names = [...dir.entriesFrom(2)].map((entry) => entry.name).sort();
  for (const name of names) {
    const path = relative === "" ? name : `${relative}/${name}`;
    const stat = vfs.stat(ctx, null, path, AT_SYMLINK_NOFOLLOW);
    if ((stat.mode & 0o170000) === 0o120000) lines.push(`${path} -> ${vfs.readlink(ctx, null, path)}`);
    else lines.push(`${path} ${describeStat(stat)}`);
    if ((stat.mode & 0o170000) === 0o040000) lines.push(...(await vfsTree(vfs, ctx, path)));
  }
  return lines;
}
