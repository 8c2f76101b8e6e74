/** Regular files through the VFS: open flags, offsets shared by dup, sparse storage, errors. */
import { describe, expect, it } from "vitest";
import {
  Errno,
  MAX_FILE_SIZE,
  O_APPEND,
  O_CLOEXEC,
  O_CREAT,
  O_DIRECTORY,
  O_EXCL,
  O_NOFOLLOW,
  O_NONBLOCK,
  O_PATH,
  O_RDONLY,
  O_RDWR,
  O_TRUNC,
  O_WRONLY,
  SEEK_CUR,
  SEEK_END,
  SEEK_SET,
} from "../src/index.ts";
import { decode, makeVfs, readAllText, text } from "./helpers.ts";

describe("regular files through the VFS", () => {
  it("creates, writes, reads back and shares the offset between dup'ed references", async () => {
    const { vfs, root } = makeVfs();
    const file = await vfs.open(root, null, "/hello.txt", O_CREAT | O_RDWR, 0o644);
    expect(await file.write(text("hello, "))).toBe(7);
    expect(await file.write(text("world"))).toBe(5);
    expect(file.lseek(0, SEEK_SET)).toBe(0);
    const dup = file.acquire();
    expect(decode(await dup.read(5))).toBe("hello");
    expect(decode(await file.read(100))).toBe(", world");
    expect(await file.read(10)).toHaveLength(0);
    expect(file.stat().size).toBe(12);
    expect(file.stat().mode).toBe(0o100644);
    expect(file.pathName).toBe("/hello.txt");
  });

  it("applies the umask on creation and honours O_EXCL, O_TRUNC and O_APPEND", async () => {
    const { vfs, root, clock } = makeVfs();
    root.umask = 0o027;
    const created = await vfs.open(root, null, "f", O_CREAT | O_WRONLY, 0o666);
    await created.write(text("0123456789"));
    expect(vfs.stat(root, null, "f").mode & 0o777).toBe(0o640);
    await expect(vfs.open(root, null, "f", O_CREAT | O_EXCL | O_WRONLY)).rejects.toMatchObject({ errno: Errno.EEXIST });
    const appender = await vfs.open(root, null, "f", O_WRONLY | O_APPEND);
    appender.lseek(0, SEEK_SET);
    await appender.write(text("AB"));
    expect(appender.offset).toBe(12);
    expect(await appender.pwrite(0, text("Z"))).toBe(1);
    const reader = await vfs.open(root, null, "f", O_RDONLY);
    expect(await readAllText(reader)).toBe("0123456789ABZ");
    await vfs.open(root, null, "f", O_WRONLY | O_TRUNC);
    expect(vfs.stat(root, null, "f").size).toBe(0);
    const emptied = vfs.stat(root, null, "f").mtime;
    clock.advance(3);
    await vfs.open(root, null, "f", O_WRONLY | O_TRUNC);
    expect(vfs.stat(root, null, "f").mtime.sec).toBe(emptied.sec + 3);
  });

  it("pread/pwrite leave the offset alone; lseek validates", async () => {
    const { vfs, root } = makeVfs();
    const file = await vfs.open(root, null, "p", O_CREAT | O_RDWR);
    await file.pwrite(4, text("xy"));
    expect(file.offset).toBe(0);
    expect([...(await file.pread(0, 10))]).toEqual([0, 0, 0, 0, 120, 121]);
    expect(file.lseek(-1, SEEK_END)).toBe(5);
    expect(file.lseek(2, SEEK_CUR)).toBe(7);
    expect(() => file.lseek(-10, SEEK_SET)).toThrow(expect.objectContaining({ errno: Errno.EINVAL }));
    expect(() => file.lseek(0, 9)).toThrow(expect.objectContaining({ errno: Errno.EINVAL }));
    await expect(file.pread(-1, 1)).rejects.toMatchObject({ errno: Errno.EINVAL });
  });

  it("stores sparse files cheaply and reads holes as zeros", async () => {
    const { vfs, root } = makeVfs();
    const file = await vfs.open(root, null, "sparse", O_CREAT | O_RDWR);
    await file.pwrite(10 * 1024 * 1024, text("end"));
    const stat = file.stat();
    expect(stat.size).toBe(10 * 1024 * 1024 + 3);
    expect(stat.blocks).toBe(8);
    expect((await file.pread(5000, 8)).every((byte) => byte === 0)).toBe(true);
    file.truncate(2);
    expect(file.stat().size).toBe(2);
    expect(file.stat().blocks).toBe(0);
    file.truncate(4);
    expect([...(await file.pread(0, 8))]).toEqual([0, 0, 0, 0]);
    await expect(file.pwrite(MAX_FILE_SIZE, text("x"))).rejects.toMatchObject({ errno: Errno.EFBIG });
  });

  it("updates mtime/ctime from the injected clock on write", async () => {
    const { vfs, root, clock } = makeVfs();
    const file = await vfs.open(root, null, "t", O_CREAT | O_WRONLY);
    const before = file.stat().mtime;
    clock.advance(5);
    await file.write(text("x"));
    expect(file.stat().mtime.sec).toBe(before.sec + 5);
    expect(file.stat().ctime.sec).toBe(before.sec + 5);
  });

  it("refuses reads and writes the open mode does not allow", async () => {
    const { vfs, root } = makeVfs();
    const writer = await vfs.open(root, null, "w", O_CREAT | O_WRONLY);
    await expect(writer.read(1)).rejects.toMatchObject({ errno: Errno.EBADF });
    const reader = await vfs.open(root, null, "w", O_RDONLY);
    await expect(reader.write(text("x"))).rejects.toMatchObject({ errno: Errno.EBADF });
    expect(() => { reader.truncate(0); }).toThrow(expect.objectContaining({ errno: Errno.EINVAL }));
    const pathOnly = await vfs.open(root, null, "w", O_PATH);
    await expect(pathOnly.read(1)).rejects.toMatchObject({ errno: Errno.EBADF });
    expect(pathOnly.stat().size).toBe(0);
  });

  it("handles directories, O_DIRECTORY, O_NOFOLLOW and trailing slashes on open", async () => {
    const { vfs, root } = makeVfs();
    vfs.mkdir(root, null, "d", 0o755);
    const dir = await vfs.open(root, null, "d", O_RDONLY | O_DIRECTORY);
    await expect(dir.read(1)).rejects.toMatchObject({ errno: Errno.EISDIR });
    await expect(vfs.open(root, null, "d", O_WRONLY)).rejects.toMatchObject({ errno: Errno.EISDIR });
    await expect(vfs.open(root, null, "d", O_CREAT | O_RDONLY)).rejects.toMatchObject({ errno: Errno.EISDIR });
    await vfs.open(root, null, "f", O_CREAT | O_WRONLY);
    await expect(vfs.open(root, null, "f", O_RDONLY | O_DIRECTORY)).rejects.toMatchObject({ errno: Errno.ENOTDIR });
    await expect(vfs.open(root, null, "f/", O_RDONLY)).rejects.toMatchObject({ errno: Errno.ENOTDIR });
    await expect(vfs.open(root, null, "new/", O_CREAT | O_WRONLY)).rejects.toMatchObject({ errno: Errno.EISDIR });
    vfs.symlink(root, "f", null, "link");
    await expect(vfs.open(root, null, "link", O_RDONLY | O_NOFOLLOW)).rejects.toMatchObject({ errno: Errno.ELOOP });
    const linkItself = await vfs.open(root, null, "link", O_PATH | O_NOFOLLOW);
    expect(linkItself.inode.kind).toBe("symlink");
    await expect(vfs.open(root, null, "missing", O_RDONLY)).rejects.toMatchObject({ errno: Errno.ENOENT });
    await expect(vfs.open(root, null, "", O_RDONLY)).rejects.toMatchObject({ errno: Errno.ENOENT });
  });

  it("O_CREAT through a dangling symlink creates its target", async () => {
    const { vfs, root } = makeVfs();
    vfs.mkdir(root, null, "d", 0o755);
    vfs.symlink(root, "target", null, "d/dangling");
    const file = await vfs.open(root, null, "d/dangling", O_CREAT | O_WRONLY);
    await file.write(text("via link"));
    expect(vfs.stat(root, null, "d/target").size).toBe(8);
    await expect(vfs.open(root, null, "d/dangling", O_CREAT | O_EXCL | O_WRONLY)).rejects.toMatchObject({
      errno: Errno.EEXIST,
    });
  });

  it("keeps status flags per description; F_SETFL only changes the changeable ones", async () => {
    const { vfs, root } = makeVfs();
    const file = await vfs.open(root, null, "s", O_CREAT | O_RDWR | O_EXCL | O_CLOEXEC | O_TRUNC);
    expect(file.flags).toBe(O_RDWR);
    file.setStatusFlags(O_APPEND | O_NONBLOCK | O_RDONLY);
    expect(file.flags & (O_APPEND | O_NONBLOCK)).toBe(O_APPEND | O_NONBLOCK);
    expect(file.writable).toBe(true);
  });

  it("readFile returns a whole file and truncate by path needs write permission", async () => {
    const { vfs, root } = makeVfs();
    const file = await vfs.open(root, null, "/r", O_CREAT | O_WRONLY, 0o600);
    await file.write(new Uint8Array(70_000).fill(7));
    expect((await vfs.readFile(root, null, "/r")).length).toBe(70_000);
    vfs.truncate(root, null, "/r", 10);
    expect(vfs.stat(root, null, "/r").size).toBe(10);
    expect(() => { vfs.truncate(root, null, "/", 0); }).toThrow(expect.objectContaining({ errno: Errno.EISDIR }));
    expect(() => { vfs.truncate(root, null, "/r", -1); }).toThrow(expect.objectContaining({ errno: Errno.EINVAL }));
  });
});
