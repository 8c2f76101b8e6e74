/**
 * The Linux x86-64 ABI numbers the file-system layer speaks: file-type and permission bits,
 * open(2) flags, *at(2) flags, lseek whences, poll events and dirent types. They are the
 * numbers user space passes in, so the kernel forwards syscall arguments unchanged.
 */

export const S_IFMT = 0o170000;
export const S_IFSOCK = 0o140000;
export const S_IFLNK = 0o120000;
export const S_IFREG = 0o100000;
export const S_IFBLK = 0o060000;
export const S_IFDIR = 0o040000;
export const S_IFCHR = 0o020000;
export const S_IFIFO = 0o010000;
export const S_ISUID = 0o4000;
export const S_ISGID = 0o2000;
export const S_ISVTX = 0o1000;
/** Permission bits plus setuid/setgid/sticky: what chmod may change. */
export const MODE_PERMISSION_MASK = 0o7777;

export function isDirMode(mode: number): boolean {
  return (mode & S_IFMT) === S_IFDIR;
}
export function isRegularMode(mode: number): boolean {
  return (mode & S_IFMT) === S_IFREG;
}
export function isSymlinkMode(mode: number): boolean {
  return (mode & S_IFMT) === S_IFLNK;
}

export const O_ACCMODE = 0o3;
export const O_RDONLY = 0o0;
export const O_WRONLY = 0o1;
export const O_RDWR = 0o2;
export const O_CREAT = 0o100;
export const O_EXCL = 0o200;
export const O_NOCTTY = 0o400;
export const O_TRUNC = 0o1000;
export const O_APPEND = 0o2000;
export const O_NONBLOCK = 0o4000;
export const O_DSYNC = 0o10000;
export const O_DIRECT = 0o40000;
export const O_LARGEFILE = 0o100000;
export const O_DIRECTORY = 0o200000;
export const O_NOFOLLOW = 0o400000;
export const O_NOATIME = 0o1000000;
export const O_CLOEXEC = 0o2000000;
export const O_PATH = 0o10000000;
/** Flags that act only during open(2) and are not kept in the open file (nor shown by F_GETFL). */
export const O_OPEN_TIME_FLAGS = O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC;
/** Status flags that fcntl(F_SETFL) may change (Linux ignores the rest silently). */
export const O_SETFL_MASK = O_APPEND | O_NONBLOCK | O_DIRECT | O_NOATIME;

/** The `dirfd` value meaning "relative to the current directory". */
export const AT_FDCWD = -100;
export const AT_SYMLINK_NOFOLLOW = 0x100;
export const AT_REMOVEDIR = 0x200;
export const AT_SYMLINK_FOLLOW = 0x400;
export const AT_EACCESS = 0x200;
export const AT_EMPTY_PATH = 0x1000;

export const RENAME_NOREPLACE = 1;
export const RENAME_EXCHANGE = 2;

export const SEEK_SET = 0;
export const SEEK_CUR = 1;
export const SEEK_END = 2;

export const POLLIN = 0x001;
export const POLLPRI = 0x002;
export const POLLOUT = 0x004;
export const POLLERR = 0x008;
export const POLLHUP = 0x010;
export const POLLNVAL = 0x020;
export const POLLRDNORM = 0x040;
export const POLLWRNORM = 0x100;

/** access(2) modes; also the rwx triplet bits used by permission checks. */
export const R_OK = 4;
export const W_OK = 2;
export const X_OK = 1;
export const F_OK = 0;

/** utimensat special nanosecond values. */
export const UTIME_NOW = (1 << 30) - 1;
export const UTIME_OMIT = (1 << 30) - 2;

export const DT_UNKNOWN = 0;
export const DT_FIFO = 1;
export const DT_CHR = 2;
export const DT_DIR = 4;
export const DT_BLK = 6;
export const DT_REG = 8;
export const DT_LNK = 10;
export const DT_SOCK = 12;

/** The d_type of a mode's file type (mode >> 12 is exactly DT_* on Linux). */
export function direntType(mode: number): number {
  return (mode & S_IFMT) >>> 12;
}

/** Longest single path component and whole path Linux accepts (NAME_MAX, PATH_MAX - 1). */
export const NAME_MAX = 255;
export const PATH_MAX = 4096;
/** Symlinks followed in one path walk before ELOOP (Linux MAXSYMLINKS). */
export const MAX_SYMLINK_FOLLOWS = 40;

/** Linux's device-number encoding (glibc makedev; identical to the kernel's for 12-bit majors). */
export function makedev(major: number, minor: number): number {
  return ((major & 0xfff) << 8) + (minor & 0xff) + (minor >>> 8) * 0x100000;
}
export function devMajor(dev: number): number {
  return (dev >>> 8) & 0xfff;
}
export function devMinor(dev: number): number {
  return (dev & 0xff) | ((Math.floor(dev / 0x100000) & 0xfff) << 8);
}
