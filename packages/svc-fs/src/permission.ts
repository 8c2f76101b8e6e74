/**
 * Who is asking, and whether they may: Linux's generic_permission() for the VFS.
 *
 * The credentials are the file-system ids (fsuid/fsgid and supplementary groups) of the
 * calling process; the kernel keeps them current across setuid and friends.
 */
import { MODE_PERMISSION_MASK, S_ISGID, S_ISUID, S_ISVTX, X_OK, isDirMode, isRegularMode } from "./constants.ts";
import { Errno, fsError } from "./errno.ts";
import type { InodeMeta } from "./inode.ts";

export interface Credentials {
  readonly uid: number;
  readonly gid: number;
  readonly groups: readonly number[];
}

export const ROOT_CREDENTIALS: Credentials = { uid: 0, gid: 0, groups: [] };

export function inGroup(cred: Credentials, gid: number): boolean {
  return cred.gid === gid || cred.groups.includes(gid);
}

/**
 * Whether `cred` may access an inode for `want` (an R_OK|W_OK|X_OK mask). Root may do
 * anything except execute a non-directory that has no execute bit at all.
 */
export function mayAccess(cred: Credentials, meta: InodeMeta, want: number): boolean {
  if (cred.uid === 0) {
    if ((want & X_OK) === 0 || isDirMode(meta.mode)) return true;
    return (meta.mode & 0o111) !== 0;
  }
  let granted: number;
  if (cred.uid === meta.uid) granted = (meta.mode >>> 6) & 7;
  else if (inGroup(cred, meta.gid)) granted = (meta.mode >>> 3) & 7;
  else granted = meta.mode & 7;
  return (granted & want) === want;
}

export function requireAccess(cred: Credentials, meta: InodeMeta, want: number, what: string): void {
  if (!mayAccess(cred, meta, want)) throw fsError(Errno.EACCES, what);
}

/** Only the owner or root may change mode and times-to-arbitrary-values (EPERM otherwise). */
export function requireOwner(cred: Credentials, meta: InodeMeta, what: string): void {
  if (cred.uid !== 0 && cred.uid !== meta.uid) throw fsError(Errno.EPERM, what);
}

/** The sticky-bit rule: in a +t directory only the file's owner, the dir's owner or root may remove it. */
export function requireMayDeleteIn(cred: Credentials, dir: InodeMeta, victim: InodeMeta, what: string): void {
  if ((dir.mode & S_ISVTX) === 0 || cred.uid === 0) return;
  if (cred.uid === dir.uid || cred.uid === victim.uid) return;
  throw fsError(Errno.EPERM, `${what}: sticky directory`);
}

/**
 * What writing to or truncating a regular file does to its set-id bits when the caller is
 * not root (Linux's file_remove_privs): setuid goes, setgid too when group-executable.
 */
export function dropSetIdOnModify(cred: Credentials, meta: InodeMeta): void {
  if (cred.uid === 0 || !isRegularMode(meta.mode)) return;
  let mode = meta.mode & ~S_ISUID;
  if ((mode & (S_ISGID | 0o010)) === (S_ISGID | 0o010)) mode &= ~S_ISGID;
  meta.mode = mode;
}

/** The mode chmod stores: type bits kept; setgid dropped when a non-member non-root sets it. */
export function chmodResult(cred: Credentials, meta: InodeMeta, requested: number): number {
  let permissions = requested & MODE_PERMISSION_MASK;
  if (cred.uid !== 0 && !inGroup(cred, meta.gid)) permissions &= ~0o2000;
  return (meta.mode & ~MODE_PERMISSION_MASK) | permissions;
}
