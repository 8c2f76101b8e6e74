/**
 * @asterism/svc-fs: the file systems of Asterism, a safe service outside the TCB.
 *
 * The VFS (mounts, path walking, permissions, open file descriptions) with syscall-shaped
 * operations the kernel forwards to; ramfs/tmpfs as the root; the initramfs (cpio newc)
 * unpacker; devfs with a character-device registry; procfs scaffolding driven by kernel
 * callbacks; and the byte encodings user space reads (struct stat, statx, linux_dirent64).
 * Every failure is an `FsError` carrying a Linux errno (archives: `CpioError`).
 */
export * from "./constants.ts";
export { Errno, type ErrnoValue, FsError, errnoName, fsError } from "./errno.ts";
export { type IoCaller, KERNEL_CALLER } from "./inode.ts";
export type {
  DirEntry,
  DirInode,
  FileHandle,
  FileSystem,
  FsClock,
  Inode,
  InodeMeta,
  NewNodeSpec,
  RegularInode,
  SpecialInode,
  SymlinkInode,
  Timespec,
} from "./inode.ts";
export { bytesToPath, pathToBytes } from "./bytes.ts";
export { type Credentials, ROOT_CREDENTIALS, mayAccess } from "./permission.ts";
export { FsContext } from "./fs-context.ts";
export type { Mount, PathRef } from "./mount.ts";
export { MAX_IO_LENGTH, OpenFile } from "./open-file.ts";
export { type FifoOpener, Vfs, type VfsOptions } from "./vfs.ts";
export { RamFs, type RamFsOptions } from "./ramfs.ts";
export { MAX_FILE_SIZE } from "./byte-store.ts";
export {
  type CharDevice,
  DeviceRegistry,
  type EntropySource,
  MEMORY_DEVICE_MAJOR,
  MEMORY_DEVICE_MINORS,
  fullDevice,
  nullDevice,
  randomDevice,
  zeroDevice,
} from "./devices.ts";
export { DevFs, type DevFsOptions } from "./devfs.ts";
export {
  type ProcDirNode,
  type ProcFileNode,
  ProcFs,
  type ProcNode,
  type ProcSymlinkNode,
  procDir,
} from "./procfs.ts";
export {
  type ProcessStatFields,
  type MountLine,
  formatCmdline,
  formatFilesystems,
  formatLoadavg,
  formatMeminfo,
  formatMounts,
  formatProcessStat,
  formatUptime,
} from "./proc-text.ts";
export { type Stat, STATX_BASIC_STATS, STATX_SIZE, STAT_SIZE, encodeStat, encodeStatx, statOf } from "./stat.ts";
export { FS_MAGIC, STATFS_SIZE, type StatFs, encodeStatfs, statfsOf } from "./statfs.ts";
export { direntRecordSize, encodeDirents } from "./dirent.ts";
export { type CpioEntry, CpioError, parseCpio } from "./cpio.ts";
export { type UnpackSummary, unpackInitramfs } from "./initramfs.ts";
