/**
 * Changing an inode's attributes: chmod, chown, utimensat and truncate, with Linux's rules
 * on who may do what (owner or root; chown of the uid is root's; setuid/setgid bits dropped
 * on chown; UTIME_NOW allowed to writers, explicit times only to the owner).
 */
import { S_ISGID, S_ISUID, UTIME_NOW, UTIME_OMIT, W_OK, isDirMode } from "./constants.ts";
import { Errno, fsError } from "./errno.ts";
import type { FsContext } from "./fs-context.ts";
import type { Inode, Timespec } from "./inode.ts";
import { chmodResult, dropSetIdOnModify, inGroup, mayAccess, requireAccess, requireOwner } from "./permission.ts";
import type { Vfs } from "./vfs.ts";

export function changeMode(vfs: Vfs, ctx: FsContext, inode: Inode, mode: number): void {
  vfs.requireWritableFs(inode);
  requireOwner(ctx.cred, inode.meta, "chmod");
  inode.meta.mode = chmodResult(ctx.cred, inode.meta, mode);
  inode.meta.ctime = vfs.clock();
}

/** chown: `uid`/`gid` of -1 leave that id unchanged. */
export function changeOwner(vfs: Vfs, ctx: FsContext, inode: Inode, uid: number, gid: number): void {
  vfs.requireWritableFs(inode);
  const meta = inode.meta;
  const cred = ctx.cred;
  const newUid = uid === -1 ? meta.uid : uid;
  const newGid = gid === -1 ? meta.gid : gid;
  if (cred.uid !== 0) {
    if (newUid !== meta.uid) throw fsError(Errno.EPERM, "only root may change the owner");
    if (newGid !== meta.gid && (cred.uid !== meta.uid || !inGroup(cred, newGid))) {
      throw fsError(Errno.EPERM, "may not give the file to that group");
    }
    if (cred.uid !== meta.uid && (uid !== -1 || gid !== -1)) throw fsError(Errno.EPERM, "not the owner");
  }
  if ((uid !== -1 || gid !== -1) && !isDirMode(meta.mode)) {
    meta.mode &= ~S_ISUID;
    if ((meta.mode & 0o010) !== 0) meta.mode &= ~S_ISGID;
  }
  meta.uid = newUid;
  meta.gid = newGid;
  meta.ctime = vfs.clock();
}

/** utimensat: each time is a Timespec whose nsec may be UTIME_NOW or UTIME_OMIT; null means both NOW. */
export function changeTimes(vfs: Vfs, ctx: FsContext, inode: Inode, times: readonly [Timespec, Timespec] | null): void {
  vfs.requireWritableFs(inode);
  const now = vfs.clock();
  const [atime, mtime] = times ?? [{ sec: 0, nsec: UTIME_NOW }, { sec: 0, nsec: UTIME_NOW }];
  for (const time of [atime, mtime]) {
    if (time.nsec !== UTIME_NOW && time.nsec !== UTIME_OMIT && (time.nsec < 0 || time.nsec > 999_999_999)) {
      throw fsError(Errno.EINVAL, "nanoseconds out of range");
    }
  }
  const explicit = (atime.nsec !== UTIME_NOW && atime.nsec !== UTIME_OMIT) || (mtime.nsec !== UTIME_NOW && mtime.nsec !== UTIME_OMIT);
  if (explicit) requireOwner(ctx.cred, inode.meta, "setting explicit times");
  else if (ctx.cred.uid !== 0 && ctx.cred.uid !== inode.meta.uid && !mayAccess(ctx.cred, inode.meta, W_OK)) {
    throw fsError(Errno.EACCES, "setting times to now");
  }
  const pick = (time: Timespec, old: Timespec): Timespec =>
    time.nsec === UTIME_NOW ? now : time.nsec === UTIME_OMIT ? old : { sec: time.sec, nsec: time.nsec };
  inode.meta.atime = pick(atime, inode.meta.atime);
  inode.meta.mtime = pick(mtime, inode.meta.mtime);
  if (atime.nsec !== UTIME_OMIT || mtime.nsec !== UTIME_OMIT) inode.meta.ctime = now;
}

/** truncate(2) by path: needs write permission; directories give EISDIR. */
export function truncateInode(vfs: Vfs, ctx: FsContext, inode: Inode, size: number): void {
  if (!Number.isSafeInteger(size) || size < 0) throw fsError(Errno.EINVAL, "negative size");
  if (inode.kind === "dir") throw fsError(Errno.EISDIR, "truncate of a directory");
  if (inode.kind !== "regular") throw fsError(Errno.EINVAL, "truncate of a special file");
  vfs.requireWritableFs(inode);
  requireAccess(ctx.cred, inode.meta, W_OK, "truncate");
  dropSetIdOnModify(ctx.cred, inode.meta);
  inode.truncate(size);
}
