/**
 * statfs(2)/fstatfs(2): what `df` and `stat -f` read about a mounted file system, and its
 * x86-64 `struct statfs` encoding (120 bytes). In-memory file systems report no capacity,
 * as Linux's ramfs and procfs do.
 */
import { writeI64 } from "./bytes.ts";
import { NAME_MAX, devMajor, devMinor } from "./constants.ts";
import type { FileSystem } from "./inode.ts";

/** f_type values of the file systems here (from Linux's magic.h). */
export const FS_MAGIC = {
  ramfs: 0x858458f6,
  tmpfs: 0x01021994,
  proc: 0x9fa0,
} as const;

const ST_RDONLY = 1;

export interface StatFs {
  readonly type: number;
  readonly blockSize: number;
  readonly blocks: number;
  readonly freeBlocks: number;
  readonly availableBlocks: number;
  readonly files: number;
  readonly freeFiles: number;
  readonly fsid: readonly [number, number];
  readonly nameMax: number;
  readonly flags: number;
}

function magicOf(fs: FileSystem): number {
  if (fs.type === "proc") return FS_MAGIC.proc;
  if (fs.type === "tmpfs" || fs.type === "devtmpfs") return FS_MAGIC.tmpfs;
  return FS_MAGIC.ramfs;
}

export function statfsOf(fs: FileSystem): StatFs {
  return {
    type: magicOf(fs),
    blockSize: 4096,
    blocks: 0,
    freeBlocks: 0,
    availableBlocks: 0,
    files: 0,
    freeFiles: 0,
    fsid: [devMinor(fs.dev), devMajor(fs.dev)],
    nameMax: NAME_MAX,
    flags: fs.readOnly ? ST_RDONLY : 0,
  };
}

export const STATFS_SIZE = 120;

export function encodeStatfs(stat: StatFs): Uint8Array {
  const out = new Uint8Array(STATFS_SIZE);
  writeI64(out, 0, stat.type);
  writeI64(out, 8, stat.blockSize);
  writeI64(out, 16, stat.blocks);
  writeI64(out, 24, stat.freeBlocks);
  writeI64(out, 32, stat.availableBlocks);
  writeI64(out, 40, stat.files);
  writeI64(out, 48, stat.freeFiles);
  writeI64(out, 56, stat.fsid[0] + stat.fsid[1] * 0x1_0000_0000);
  writeI64(out, 64, stat.nameMax);
  writeI64(out, 72, stat.blockSize);
  writeI64(out, 80, stat.flags);
  return out;
}
