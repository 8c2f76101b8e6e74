/**
 * stat(2)/statx(2) results: the record the VFS builds from an inode, and its encodings in the
 * x86-64 `struct stat` (144 bytes) and `struct statx` (256 bytes) layouts, ready to copy out.
 */
import { writeI64, writeU16, writeU32 } from "./bytes.ts";
import { devMajor, devMinor } from "./constants.ts";
import type { Inode, Timespec } from "./inode.ts";

export interface Stat {
  readonly dev: number;
  readonly ino: number;
  readonly mode: number;
  readonly nlink: number;
  readonly uid: number;
  readonly gid: number;
  readonly rdev: number;
  readonly size: number;
  readonly blksize: number;
  readonly blocks: number;
  readonly atime: Timespec;
  readonly mtime: Timespec;
  readonly ctime: Timespec;
}

export function statOf(inode: Inode): Stat {
  const meta = inode.meta;
  return {
    dev: inode.fs.dev,
    ino: inode.ino,
    mode: meta.mode,
    nlink: meta.nlink,
    uid: meta.uid,
    gid: meta.gid,
    rdev: meta.rdev,
    size: inode.size(),
    blksize: 4096,
    blocks: inode.blocks(),
    atime: meta.atime,
    mtime: meta.mtime,
    ctime: meta.ctime,
  };
}

export const STAT_SIZE = 144;
export const STATX_SIZE = 256;

/** `struct stat` as x86-64 Linux lays it out. */
export function encodeStat(stat: Stat): Uint8Array {
  const out = new Uint8Array(STAT_SIZE);
  writeI64(out, 0, stat.dev);
  writeI64(out, 8, stat.ino);
  writeI64(out, 16, stat.nlink);
  writeU32(out, 24, stat.mode);
  writeU32(out, 28, stat.uid);
  writeU32(out, 32, stat.gid);
  writeI64(out, 40, stat.rdev);
  writeI64(out, 48, stat.size);
  writeI64(out, 56, stat.blksize);
  writeI64(out, 64, stat.blocks);
  writeI64(out, 72, stat.atime.sec);
  writeI64(out, 80, stat.atime.nsec);
  writeI64(out, 88, stat.mtime.sec);
  writeI64(out, 96, stat.mtime.nsec);
  writeI64(out, 104, stat.ctime.sec);
  writeI64(out, 112, stat.ctime.nsec);
  return out;
}

/** STATX_BASIC_STATS: every field statx fills here (no btime, no mount id). */
export const STATX_BASIC_STATS = 0x7ff;

function writeStatxTime(out: Uint8Array, offset: number, time: Timespec): void {
  writeI64(out, offset, time.sec);
  writeU32(out, offset + 8, time.nsec);
}

/** `struct statx`; `stx_mask` is STATX_BASIC_STATS whatever was asked, which Linux permits. */
export function encodeStatx(stat: Stat): Uint8Array {
  const out = new Uint8Array(STATX_SIZE);
  writeU32(out, 0, STATX_BASIC_STATS);
  writeU32(out, 4, stat.blksize);
  writeU32(out, 16, stat.nlink);
  writeU32(out, 20, stat.uid);
  writeU32(out, 24, stat.gid);
  writeU16(out, 28, stat.mode);
  writeI64(out, 32, stat.ino);
  writeI64(out, 40, stat.size);
  writeI64(out, 48, stat.blocks);
  writeStatxTime(out, 64, stat.atime);
  writeStatxTime(out, 96, stat.ctime);
  writeStatxTime(out, 112, stat.mtime);
  writeU32(out, 128, devMajor(stat.rdev));
  writeU32(out, 132, devMinor(stat.rdev));
  writeU32(out, 136, devMajor(stat.dev));
  writeU32(out, 140, devMinor(stat.dev));
  return out;
}
