/**
 * The contract between the VFS and a concrete file system (ramfs, procfs, ...).
 *
 * A file system hands the VFS inodes of four kinds. The VFS does every check Linux does at the
 * VFS level (permissions, EEXIST/ENOTDIR/ENOTEMPTY/EXDEV, loops, mounts) *before* calling a
 * mutating method, so implementations only keep their own structures consistent. There is no
 * separate dentry cache: every file system here lives in memory, a directory's entry table is
 * its dentry set, and each directory knows its unique parent, which keeps `..` and getcwd right
 * across renames.
 *
 * Path names and symlink targets are "byte strings": one char per byte (0..255), so any Linux
 * file name round-trips losslessly (see `bytesToPath`).
 */

import type { PathRef } from "./mount.ts";

/** A point in time as Linux stores it (`struct timespec`). */
export interface Timespec {
  readonly sec: number;
  readonly nsec: number;
}

/** The clock every file system stamps inodes with; injected, never the host clock. */
export type FsClock = () => Timespec;

/** Mutable inode metadata; `mode` carries the S_IF* type bits, which never change. */
export interface InodeMeta {
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  rdev: number;
  atime: Timespec;
  mtime: Timespec;
  ctime: Timespec;
}

/** One mounted or mountable file system instance. */
export interface FileSystem {
  /** The name /proc/filesystems and /proc/mounts show ("ramfs", "proc", "devtmpfs"). */
  readonly type: string;
  /** st_dev of every inode in it. */
  readonly dev: number;
  readonly root: DirInode;
  readonly readOnly: boolean;
  /** Whether the fs needs a block device (the "nodev" column of /proc/filesystems is !this). */
  readonly needsDevice: boolean;
}

interface InodeCommon {
  readonly fs: FileSystem;
  readonly ino: number;
  readonly meta: InodeMeta;
  /** st_size. */
  size(): number;
  /** st_blocks, in 512-byte units. */
  blocks(): number;
}

/** One record of a directory listing; `next` is the position (d_off) after this entry. */
export interface DirEntry {
  readonly name: string;
  readonly ino: number;
  /** DT_* value. */
  readonly type: number;
  readonly next: number;
}

/** What `DirInode.create` makes; the VFS has applied umask and picked the owner. */
export type NewNodeSpec =
  | { readonly kind: "regular"; readonly mode: number; readonly uid: number; readonly gid: number }
  | { readonly kind: "dir"; readonly mode: number; readonly uid: number; readonly gid: number }
  | {
      readonly kind: "symlink";
      readonly target: string;
      readonly uid: number;
      readonly gid: number;
    }
  | {
      /** Character/block device, FIFO or socket; `mode` includes the type bits. */
      readonly kind: "special";
      readonly mode: number;
      readonly rdev: number;
      readonly uid: number;
      readonly gid: number;
    };

export interface DirInode extends InodeCommon {
  readonly kind: "dir";
  /** The directory containing this one (itself for a file-system root). */
  parent(): DirInode;
  lookup(name: string): Inode | undefined;
  /** Entries other than "." and ".." whose position is >= `position` (positions start at 2). */
  entriesFrom(position: number): Iterable<DirEntry>;
  /** Whether the directory has entries besides "." and "..". */
  hasEntries(): boolean;
  create(name: string, spec: NewNodeSpec): Inode;
  /** Adds a hard link to a non-directory inode of the same file system. */
  link(name: string, inode: Inode): void;
  /** Removes an entry (file or empty directory) and drops the inode's link count. */
  unlink(name: string): void;
  /** Moves an entry, replacing (and unlinking) whatever `newName` named. */
  rename(oldName: string, newParent: DirInode, newName: string): void;
}

/** Random-access file contents. */
export interface RegularInode extends InodeCommon {
  readonly kind: "regular";
  /** Per-open view of the contents (procfs snapshots generated text here). */
  open(flags: number): FileHandle;
  truncate(size: number): void;
}

export interface SymlinkInode extends InodeCommon {
  readonly kind: "symlink";
  readlink(): string;
  /**
   * For "magic links" (/proc/<pid>/fd/N, /proc/<pid>/exe, /proc/<pid>/cwd): the place that
   * following the link lands on directly, whatever `readlink` says (an unlinked file, a pipe).
   * Absent or undefined: the target text is walked as usual.
   */
  jump?(): PathRef | undefined;
}

/** Device node, FIFO or socket: opening one goes through the VFS's device registry or hooks. */
export interface SpecialInode extends InodeCommon {
  readonly kind: "special";
}

export type Inode = DirInode | RegularInode | SymlinkInode | SpecialInode;

/**
 * Who is doing the I/O, passed through from the syscall to the device or pipe so that a
 * blocking wait can end with EINTR and a device can signal the caller (SIGPIPE, SIGTTOU).
 * The kernel builds one per syscall from its current thread.
 */
export interface IoCaller {
  /** True once the calling thread has a signal to handle: a blocking wait ends with EINTR. */
  readonly interrupted: () => boolean;
  /** Raises a signal on the calling thread. */
  readonly raise: (signal: number) => void;
}

/** The caller for I/O the kernel does on its own behalf (never interrupted, raises nothing). */
export const KERNEL_CALLER: IoCaller = {
  interrupted: () => false,
  raise: () => undefined,
};

/**
 * What an open file reads and writes through. Non-seekable handles (devices, pipes) ignore
 * `offset`. Results may be immediate or promised; the VFS awaits either.
 */
export interface FileHandle {
  readonly seekable: boolean;
  read(offset: number, length: number, nonblock: boolean, caller: IoCaller): Uint8Array | Promise<Uint8Array>;
  write(offset: number, data: Uint8Array, nonblock: boolean, caller: IoCaller): number | Promise<number>;
  /**
   * lseek on a non-seekable handle that still accepts it (Linux's /dev/null and /dev/zero
   * answer 0). Absent: ESPIPE for non-seekable handles.
   */
  lseek?(offset: number, whence: number): number;
  /** Absent: ENOTTY. */
  ioctl?(request: number, arg: number, caller: IoCaller): number | Promise<number>;
  /** The subset of `events` (POLL*) that is ready now. Absent: always readable and writable. */
  poll?(events: number): number;
  /** Calls `listener` whenever readiness may have changed; returns the unsubscribe function. */
  subscribe?(listener: () => void): () => void;
  /** Called once when the last reference to the open file goes away. */
  release?(): void;
}
