/**
 * Unpacks a cpio newc initramfs into the tree, as Linux's init/initramfs.c does: entries are
 * created through the VFS with root credentials, keep their mode, owner and mtime (directory
 * mtimes are applied last, since filling a directory changes it), hard-link groups (same
 * ino and device, nlink >= 2) become real hard links, and an entry replaces a non-directory
 * of the same name. Names with a `..` component are refused. Every failure becomes a
 * `CpioError` naming the entry.
 */
import { bytesToPath } from "./bytes.ts";
import {
  AT_REMOVEDIR,
  AT_SYMLINK_NOFOLLOW,
  O_CREAT,
  O_TRUNC,
  O_WRONLY,
  S_IFBLK,
  S_IFCHR,
  S_IFDIR,
  S_IFIFO,
  S_IFLNK,
  S_IFMT,
  S_IFREG,
  S_IFSOCK,
  makedev,
} from "./constants.ts";
import { type CpioEntry, CpioError, parseCpio } from "./cpio.ts";
import { FsError } from "./errno.ts";
import type { FsContext } from "./fs-context.ts";
import type { PathRef } from "./mount.ts";
import type { Vfs } from "./vfs.ts";

export interface UnpackSummary {
  readonly entries: number;
  readonly bytes: number;
}

/** Where an archive name lands, relative to the unpack root ("" for the root itself). */
function normalizeName(entry: CpioEntry): string {
  const parts = entry.name.split("/").filter((part) => part.length > 0 && part !== ".");
  if (parts.includes("..")) throw new CpioError(`path traversal in ${JSON.stringify(entry.name)}`, entry.offset);
  return parts.join("/");
}

/** Opens `path` with `flags`, writes all of `data`, and closes it again. */
async function writeContents(vfs: Vfs, ctx: FsContext, path: string, flags: number, mode: number, data: Uint8Array): Promise<void> {
  const file = await vfs.open(ctx, null, path, O_WRONLY | O_TRUNC | flags, mode);
  try {
    let done = 0;
    while (done < data.length) done += await file.write(data.subarray(done));
  } finally {
    file.release();
  }
}

/** Unpacks `archive` below `root` (default: the namespace root). */
export async function unpackInitramfs(vfs: Vfs, archive: Uint8Array, root?: PathRef): Promise<UnpackSummary> {
  const entries = parseCpio(archive);
  const ctx = vfs.createContext();
  ctx.umask = 0;
  if (root !== undefined) {
    ctx.root = root;
    ctx.cwd = root;
  }
  const linkGroups = new Map<string, string>();
  const directoryTimes: { path: string; mtime: number }[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const path = normalizeName(entry);
    try {
      await unpackEntry(vfs, ctx, entry, path, linkGroups, directoryTimes);
    } catch (error) {
      if (error instanceof FsError) {
        throw new CpioError(`cannot unpack ${JSON.stringify(entry.name)}: ${error.message}`, entry.offset);
      }
      throw error;
    }
    bytes += entry.data.length;
  }
  for (const { path, mtime } of directoryTimes.reverse()) {
    const time = { sec: mtime, nsec: 0 };
    vfs.utimens(ctx, null, path.length === 0 ? "/" : path, [time, time]);
  }
  return { entries: entries.length, bytes };
}

async function unpackEntry(
  vfs: Vfs,
  ctx: FsContext,
  entry: CpioEntry,
  path: string,
  linkGroups: Map<string, string>,
  directoryTimes: { path: string; mtime: number }[],
): Promise<void> {
  const type = entry.mode & S_IFMT;
  const permissions = entry.mode & 0o7777;
  if (type === S_IFDIR) {
    const existing = path.length === 0 ? "dir" : existingKind(vfs, ctx, path);
    if (existing !== "dir") {
      if (existing !== undefined) vfs.unlink(ctx, null, path);
      vfs.mkdir(ctx, null, path, permissions);
    }
    applyOwnership(vfs, ctx, path.length === 0 ? "/" : path, entry, true);
    directoryTimes.push({ path, mtime: entry.mtime });
    return;
  }
  if (path.length === 0) throw new CpioError("the root can only be a directory", entry.offset);
  removeNonDirectory(vfs, ctx, path);
  if (type === S_IFREG) {
    const groupKey = `${String(entry.devMajor)}:${String(entry.devMinor)}:${String(entry.ino)}`;
    const firstName = entry.nlink >= 2 ? linkGroups.get(groupKey) : undefined;
    if (firstName !== undefined) {
      vfs.link(ctx, null, firstName, null, path);
      if (entry.data.length > 0) await writeContents(vfs, ctx, path, 0, permissions, entry.data);
    } else {
      if (entry.nlink >= 2) linkGroups.set(groupKey, path);
      await writeContents(vfs, ctx, path, O_CREAT, permissions, entry.data);
    }
  } else if (type === S_IFLNK) {
    vfs.symlink(ctx, bytesToPath(entry.data), null, path);
  } else if (type === S_IFCHR || type === S_IFBLK || type === S_IFIFO || type === S_IFSOCK) {
    vfs.mknod(ctx, null, path, type | permissions, makedev(entry.rdevMajor, entry.rdevMinor));
  } else {
    throw new CpioError(`unknown file type ${(type >>> 12).toString(8)} of ${JSON.stringify(entry.name)}`, entry.offset);
  }
  applyOwnership(vfs, ctx, path, entry, type !== S_IFLNK);
  const time = { sec: entry.mtime, nsec: 0 };
  vfs.utimens(ctx, null, path, [time, time], AT_SYMLINK_NOFOLLOW);
}

function existingKind(vfs: Vfs, ctx: FsContext, path: string): "dir" | "other" | undefined {
  try {
    return vfs.lookup(ctx, null, path, AT_SYMLINK_NOFOLLOW).inode.kind === "dir" ? "dir" : "other";
  } catch (error) {
    if (error instanceof FsError) return undefined;
    throw error;
  }
}

/** An entry replaces an existing file or symlink; an existing empty directory too. */
function removeNonDirectory(vfs: Vfs, ctx: FsContext, path: string): void {
  const kind = existingKind(vfs, ctx, path);
  if (kind === "other") vfs.unlink(ctx, null, path);
  else if (kind === "dir") vfs.unlink(ctx, null, path, AT_REMOVEDIR);
}

function applyOwnership(vfs: Vfs, ctx: FsContext, path: string, entry: CpioEntry, setMode: boolean): void {
  vfs.chown(ctx, null, path, entry.uid, entry.gid, AT_SYMLINK_NOFOLLOW);
  if (setMode) vfs.chmod(ctx, null, path, entry.mode & 0o7777);
}
