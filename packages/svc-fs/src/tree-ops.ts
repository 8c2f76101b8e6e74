/**
 * The operations that change the shape of the tree: mkdirat, mknodat, symlinkat, linkat,
 * unlinkat and renameat2, with every check Linux makes before touching the file system
 * (write+search on the parents, sticky directories, EXDEV across mounts, EBUSY on mount
 * points, ENOTEMPTY, no directory moved below itself, RENAME_NOREPLACE).
 */
import {
  AT_EMPTY_PATH,
  AT_REMOVEDIR,
  AT_SYMLINK_FOLLOW,
  RENAME_NOREPLACE,
  S_IFBLK,
  S_IFCHR,
  S_IFIFO,
  S_IFMT,
  S_IFREG,
  S_IFSOCK,
  W_OK,
  X_OK,
} from "./constants.ts";
import { Errno, fsError } from "./errno.ts";
import type { FsContext } from "./fs-context.ts";
import type { DirInode, Inode } from "./inode.ts";
import type { OpenFile } from "./open-file.ts";
import type { ParentAndName } from "./path-walk.ts";
import { requireAccess, requireMayDeleteIn } from "./permission.ts";
import type { Vfs } from "./vfs.ts";

/** The directory a name will be created in or removed from (resolution only, no checks yet). */
function parentOf(vfs: Vfs, ctx: FsContext, at: OpenFile | null, path: string): Target {
  const found = vfs.walker(ctx).resolveParent(vfs.startOf(ctx, at), path);
  const dir = found.parent.inode;
  if (dir.kind !== "dir") throw fsError(Errno.ENOTDIR, path);
  return { ...found, dir };
}

type Target = ParentAndName & { readonly dir: DirInode };

/**
 * Linux's filename_create: the name must be free (EEXIST) and a trailing slash is only for
 * mkdir (ENOENT); then the file system must be writable (EROFS).
 */
function creationTarget(vfs: Vfs, ctx: FsContext, at: OpenFile | null, path: string, makesDir: boolean): Target {
  const target = parentOf(vfs, ctx, at, path);
  if (target.name === "." || target.name === ".." || vfs.walker(ctx).child(target.parent, target.name) !== undefined) {
    throw fsError(Errno.EEXIST, path);
  }
  if (target.trailingSlash && !makesDir) throw fsError(Errno.ENOENT, path);
  vfs.requireWritableFs(target.dir);
  return target;
}

/** may_create: write and search permission on the directory. */
function requireMayCreate(ctx: FsContext, target: Target): void {
  requireAccess(ctx.cred, target.dir.meta, W_OK | X_OK, target.name);
}

/** may_delete: write and search permission, the sticky bit, then the type the call expects. */
function requireMayDelete(ctx: FsContext, dir: DirInode, victim: Inode, expectDir: boolean, name: string): void {
  requireAccess(ctx.cred, dir.meta, W_OK | X_OK, name);
  requireMayDeleteIn(ctx.cred, dir.meta, victim.meta, name);
  if (expectDir && victim.kind !== "dir") throw fsError(Errno.ENOTDIR, name);
  if (!expectDir && victim.kind === "dir") throw fsError(Errno.EISDIR, name);
}

export function mkdirAt(vfs: Vfs, ctx: FsContext, at: OpenFile | null, path: string, mode: number): void {
  const target = creationTarget(vfs, ctx, at, path, true);
  requireMayCreate(ctx, target);
  target.dir.create(target.name, { kind: "dir", ...vfs.newOwnership(ctx, target.dir, mode, true) });
}

/** mknodat(2): regular files, FIFOs, sockets, and (root only) device nodes. */
export function mknodAt(vfs: Vfs, ctx: FsContext, at: OpenFile | null, path: string, mode: number, rdev: number): void {
  const type = (mode & S_IFMT) === 0 ? S_IFREG : mode & S_IFMT;
  if (type !== S_IFREG && type !== S_IFIFO && type !== S_IFSOCK && type !== S_IFCHR && type !== S_IFBLK) {
    throw fsError(Errno.EINVAL, "mknod type");
  }
  const target = creationTarget(vfs, ctx, at, path, false);
  requireMayCreate(ctx, target);
  if ((type === S_IFCHR || type === S_IFBLK) && ctx.cred.uid !== 0) throw fsError(Errno.EPERM, "mknod of a device");
  const owner = vfs.newOwnership(ctx, target.dir, mode, false);
  if (type === S_IFREG) target.dir.create(target.name, { kind: "regular", ...owner });
  else target.dir.create(target.name, { kind: "special", ...owner, mode: type | owner.mode, rdev });
}

export function symlinkAt(vfs: Vfs, ctx: FsContext, linkTarget: string, at: OpenFile | null, path: string): void {
  if (linkTarget.length === 0) throw fsError(Errno.ENOENT, "empty symlink target");
  const target = creationTarget(vfs, ctx, at, path, false);
  requireMayCreate(ctx, target);
  const { uid, gid } = vfs.newOwnership(ctx, target.dir, 0, false);
  target.dir.create(target.name, { kind: "symlink", target: linkTarget, uid, gid });
}

/** linkat(2): AT_SYMLINK_FOLLOW follows a final symlink of the old path, AT_EMPTY_PATH links `oldAt` itself. */
export function linkAt(
  vfs: Vfs,
  ctx: FsContext,
  oldAt: OpenFile | null,
  oldPath: string,
  newAt: OpenFile | null,
  newPath: string,
  flags: number,
): void {
  if ((flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) !== 0) throw fsError(Errno.EINVAL, "linkat flags");
  const old =
    oldPath.length === 0 && (flags & AT_EMPTY_PATH) !== 0
      ? vfs.startOf(ctx, oldAt)
      : vfs.walker(ctx).resolve(vfs.startOf(ctx, oldAt), oldPath, (flags & AT_SYMLINK_FOLLOW) !== 0);
  const target = creationTarget(vfs, ctx, newAt, newPath, false);
  if (target.parent.mount !== old.mount) throw fsError(Errno.EXDEV, "link across mounts");
  requireMayCreate(ctx, target);
  if (old.inode.kind === "dir") throw fsError(Errno.EPERM, "hard link to a directory");
  if (old.inode.meta.nlink === 0) throw fsError(Errno.ENOENT, "file was removed");
  target.dir.link(target.name, old.inode);
}

/** unlinkat(2); AT_REMOVEDIR makes it rmdir. */
export function unlinkAt(vfs: Vfs, ctx: FsContext, at: OpenFile | null, path: string, flags: number): void {
  if ((flags & ~AT_REMOVEDIR) !== 0) throw fsError(Errno.EINVAL, "unlinkat flags");
  const removeDir = (flags & AT_REMOVEDIR) !== 0;
  const target = parentOf(vfs, ctx, at, path);
  if (target.name === ".") throw fsError(removeDir ? Errno.EINVAL : Errno.EISDIR, path);
  if (target.name === "..") throw fsError(removeDir ? Errno.ENOTEMPTY : Errno.EISDIR, path);
  vfs.requireWritableFs(target.dir);
  const victim = vfs.walker(ctx).child(target.parent, target.name);
  if (!removeDir && target.trailingSlash) {
    throw fsError(victim === undefined ? Errno.ENOENT : victim.inode.kind === "dir" ? Errno.EISDIR : Errno.ENOTDIR, path);
  }
  if (victim === undefined) throw fsError(Errno.ENOENT, path);
  requireMayDelete(ctx, target.dir, victim.inode, removeDir, path);
  if (removeDir) {
    if (victim.mount !== target.parent.mount) throw fsError(Errno.EBUSY, `${path} is a mount point`);
    if (victim.inode.kind === "dir" && victim.inode.hasEntries()) throw fsError(Errno.ENOTEMPTY, path);
  }
  target.dir.unlink(target.name);
}

function isInside(candidate: DirInode, ancestor: Inode): boolean {
  for (let dir = candidate; ; dir = dir.parent()) {
    if (dir === ancestor) return true;
    if (dir.parent() === dir) return false;
  }
}

/**
 * renameat2(2) with flags 0 or RENAME_NOREPLACE (RENAME_EXCHANGE and whiteouts: EINVAL).
 * The checks run in Linux's order (do_renameat2, then vfs_rename), so that when several
 * apply, the errno is the one Linux reports.
 */
export function renameAt(
  vfs: Vfs,
  ctx: FsContext,
  oldAt: OpenFile | null,
  oldPath: string,
  newAt: OpenFile | null,
  newPath: string,
  flags: number,
): void {
  if ((flags & ~RENAME_NOREPLACE) !== 0) throw fsError(Errno.EINVAL, "renameat2 flags");
  const from = parentOf(vfs, ctx, oldAt, oldPath);
  const to = parentOf(vfs, ctx, newAt, newPath);
  if (from.parent.mount !== to.parent.mount) throw fsError(Errno.EXDEV, "rename across mounts");
  if (from.name === "." || from.name === "..") throw fsError(Errno.EBUSY, "rename of . or ..");
  if (to.name === "." || to.name === "..") {
    throw fsError((flags & RENAME_NOREPLACE) !== 0 ? Errno.EEXIST : Errno.EBUSY, "rename onto . or ..");
  }
  vfs.requireWritableFs(from.dir);
  const walker = vfs.walker(ctx);
  const moving = walker.child(from.parent, from.name);
  if (moving === undefined) throw fsError(Errno.ENOENT, oldPath);
  const movingIsDir = moving.inode.kind === "dir";
  if (!movingIsDir && (from.trailingSlash || to.trailingSlash)) throw fsError(Errno.ENOTDIR, oldPath);
  const replaced = walker.child(to.parent, to.name);
  if (replaced !== undefined && (flags & RENAME_NOREPLACE) !== 0) throw fsError(Errno.EEXIST, newPath);
  if (movingIsDir && isInside(to.dir, moving.inode)) throw fsError(Errno.EINVAL, "cannot move a directory into itself");
  if (replaced?.inode.kind === "dir" && isInside(from.dir, replaced.inode)) {
    throw fsError(Errno.ENOTEMPTY, "cannot replace an ancestor of the source");
  }
  if (replaced?.inode === moving.inode) return;
  requireMayDelete(ctx, from.dir, moving.inode, movingIsDir, oldPath);
  if (replaced === undefined) requireMayCreate(ctx, to);
  else requireMayDelete(ctx, to.dir, replaced.inode, movingIsDir, newPath);
  if (movingIsDir && to.dir !== from.dir) requireAccess(ctx.cred, moving.inode.meta, W_OK, oldPath);
  if (moving.mount !== from.parent.mount) throw fsError(Errno.EBUSY, `${oldPath} is a mount point`);
  if (replaced !== undefined && replaced.mount !== to.parent.mount) throw fsError(Errno.EBUSY, `${newPath} is a mount point`);
  if (replaced?.inode.kind === "dir" && replaced.inode.hasEntries()) throw fsError(Errno.ENOTEMPTY, newPath);
  from.dir.rename(from.name, to.dir, to.name);
}
