/** Byte layouts user space reads: struct stat, statx, statfs and linux_dirent64 records. */
import { describe, expect, it } from "vitest";
import {
  Errno,
  FS_MAGIC,
  O_CREAT,
  O_DIRECTORY,
  O_RDONLY,
  O_WRONLY,
  SEEK_SET,
  STAT_SIZE,
  STATFS_SIZE,
  RamFs,
  STATX_SIZE,
  bytesToPath,
  encodeStat,
  encodeStatfs,
  encodeStatx,
  makedev,
  pathToBytes,
  type Stat,
} from "../src/index.ts";
import { makeVfs } from "./helpers.ts";

function u64(bytes: Uint8Array, offset: number): number {
  let value = 0;
  for (let index = 7; index >= 0; index -= 1) value = value * 256 + (bytes[offset + index] ?? 0);
  return value;
}
function u32(bytes: Uint8Array, offset: number): number {
  return u64(Uint8Array.from([...bytes.subarray(offset, offset + 4), 0, 0, 0, 0]), 0);
}

interface Dirent {
  ino: number;
  off: number;
  reclen: number;
  type: number;
  name: string;
}

function parseDirents(bytes: Uint8Array): Dirent[] {
  const out: Dirent[] = [];
  for (let offset = 0; offset < bytes.length; ) {
    const reclen = (bytes[offset + 16] ?? 0) | ((bytes[offset + 17] ?? 0) << 8);
    const nameEnd = bytes.indexOf(0, offset + 19);
    out.push({
      ino: u64(bytes, offset),
      off: u64(bytes, offset + 8),
      reclen,
      type: bytes[offset + 18] ?? -1,
      name: bytesToPath(bytes.subarray(offset + 19, nameEnd)),
    });
    offset += reclen;
  }
  return out;
}

const sample: Stat = {
  dev: makedev(8, 1),
  ino: 2 ** 40 + 3,
  mode: 0o100644,
  nlink: 2,
  uid: 1000,
  gid: 100,
  rdev: makedev(4, 300),
  size: 5_000_000_000,
  blksize: 4096,
  blocks: 9_765_632,
  atime: { sec: -1, nsec: 1 },
  mtime: { sec: 1_700_000_000, nsec: 999_999_999 },
  ctime: { sec: 3, nsec: 4 },
};

describe("struct stat and statx", () => {
  it("lays out x86-64 struct stat in 144 bytes", () => {
    const bytes = encodeStat(sample);
    expect(bytes.length).toBe(STAT_SIZE);
    expect(u64(bytes, 0)).toBe(0x801);
    expect(u64(bytes, 8)).toBe(sample.ino);
    expect(u64(bytes, 16)).toBe(2);
    expect(u32(bytes, 24)).toBe(0o100644);
    expect(u32(bytes, 28)).toBe(1000);
    expect(u32(bytes, 32)).toBe(100);
    expect(u64(bytes, 40)).toBe(makedev(4, 300));
    expect(u64(bytes, 48)).toBe(5_000_000_000);
    expect(u64(bytes, 56)).toBe(4096);
    expect(u64(bytes, 64)).toBe(9_765_632);
    expect([...bytes.subarray(72, 80)]).toEqual([255, 255, 255, 255, 255, 255, 255, 255]);
    expect(u64(bytes, 80)).toBe(1);
    expect(u64(bytes, 88)).toBe(1_700_000_000);
    expect(u64(bytes, 96)).toBe(999_999_999);
    expect(u64(bytes, 104)).toBe(3);
    expect(u64(bytes, 112)).toBe(4);
  });

  it("lays out struct statx in 256 bytes with split device numbers", () => {
    const bytes = encodeStatx(sample);
    expect(bytes.length).toBe(STATX_SIZE);
    expect(u32(bytes, 0)).toBe(0x7ff);
    expect(u32(bytes, 4)).toBe(4096);
    expect(u32(bytes, 16)).toBe(2);
    expect((bytes[28] ?? 0) | ((bytes[29] ?? 0) << 8)).toBe(0o100644);
    expect(u64(bytes, 32)).toBe(sample.ino);
    expect(u64(bytes, 40)).toBe(5_000_000_000);
    expect(u64(bytes, 112)).toBe(1_700_000_000);
    expect(u32(bytes, 120)).toBe(999_999_999);
    expect([u32(bytes, 128), u32(bytes, 132), u32(bytes, 136), u32(bytes, 140)]).toEqual([4, 300, 8, 1]);
  });

  it("round-trips every byte through path strings", () => {
    const all = Uint8Array.from({ length: 256 }, (_, index) => index);
    expect(pathToBytes(bytesToPath(all))).toEqual(all);
  });
});

describe("statfs", () => {
  it("reports the file system's magic and encodes struct statfs in 120 bytes", () => {
    const { vfs, root, clock } = makeVfs();
    vfs.mkdir(root, null, "/tmp", 0o1777);
    vfs.mount(root, new RamFs({ clock: clock.read, type: "tmpfs" }), null, "/tmp", "tmpfs");
    expect(vfs.statfs(root, null, "/").type).toBe(FS_MAGIC.ramfs);
    const tmp = vfs.statfs(root, null, "/tmp");
    expect(tmp).toMatchObject({ type: FS_MAGIC.tmpfs, blockSize: 4096, nameMax: 255, flags: 0 });
    const bytes = encodeStatfs(tmp);
    expect(bytes.length).toBe(STATFS_SIZE);
    expect(u64(bytes, 0)).toBe(0x01021994);
    expect(u64(bytes, 8)).toBe(4096);
    expect(u64(bytes, 64)).toBe(255);
    expect(u64(bytes, 72)).toBe(4096);
  });
});

describe("getdents64", () => {
  it("encodes ., .. and entries with 8-byte aligned records and resumable offsets", async () => {
    const { vfs, root } = makeVfs();
    vfs.mkdir(root, null, "/d", 0o755);
    for (const name of ["alpha", "b", "a-much-longer-name-than-the-rest"]) {
      await vfs.open(root, null, `/d/${name}`, O_CREAT | O_WRONLY);
    }
    vfs.symlink(root, "x", null, "/d/link");
    const dir = await vfs.open(root, null, "/d", O_RDONLY | O_DIRECTORY);
    const records = parseDirents(dir.getdents64(4096));
    expect(records.map((record) => record.name)).toEqual([".", "..", "alpha", "b", "a-much-longer-name-than-the-rest", "link"]);
    expect(records.every((record) => record.reclen % 8 === 0)).toBe(true);
    expect(records.map((record) => record.type)).toEqual([4, 4, 8, 8, 8, 10]);
    expect(records[0]?.ino).toBe(vfs.stat(root, null, "/d").ino);
    expect(records[1]?.ino).toBe(vfs.stat(root, null, "/").ino);
    expect(dir.getdents64(4096)).toHaveLength(0);
    const resumeAt = records[2]?.off ?? -1;
    dir.lseek(resumeAt, SEEK_SET);
    expect(parseDirents(dir.getdents64(4096)).map((record) => record.name)).toEqual([
      "b",
      "a-much-longer-name-than-the-rest",
      "link",
    ]);
  });

  it("keeps offsets stable while the directory changes between calls", async () => {
    const { vfs, root } = makeVfs();
    vfs.mkdir(root, null, "/d", 0o755);
    for (let index = 0; index < 20; index += 1) await vfs.open(root, null, `/d/f${String(index)}`, O_CREAT | O_WRONLY);
    const dir = await vfs.open(root, null, "/d", O_RDONLY);
    const first = parseDirents(dir.getdents64(24 * 6));
    expect(first.map((record) => record.name)).toEqual([".", "..", "f0", "f1", "f2", "f3"]);
    vfs.unlink(root, null, "/d/f1");
    vfs.unlink(root, null, "/d/f4");
    await vfs.open(root, null, "/d/new", O_CREAT | O_WRONLY);
    vfs.rename(root, null, "/d/f0", null, "/d/f0-renamed");
    const rest: string[] = [];
    for (let chunk = dir.getdents64(100); chunk.length > 0; chunk = dir.getdents64(100)) {
      rest.push(...parseDirents(chunk).map((record) => record.name));
    }
    expect(rest).toEqual([...Array.from({ length: 15 }, (_, index) => `f${String(index + 5)}`), "new", "f0-renamed"]);
  });

  it("refuses a too-small buffer and non-directories", async () => {
    const { vfs, root } = makeVfs();
    const dir = await vfs.open(root, null, "/", O_RDONLY);
    expect(() => dir.getdents64(10)).toThrow(expect.objectContaining({ errno: Errno.EINVAL }));
    expect(() => dir.getdents64(Number.NaN)).toThrow(expect.objectContaining({ errno: Errno.EINVAL }));
    const file = await vfs.open(root, null, "/f", O_CREAT | O_WRONLY);
    expect(() => file.getdents64(4096)).toThrow(expect.objectContaining({ errno: Errno.ENOTDIR }));
  });
});
