/** Tree-changing operations (mkdir, mknod, link, symlink, unlink, rename) and their errnos. */
import { describe, expect, it } from "vitest";
import { AT_REMOVEDIR, AT_SYMLINK_FOLLOW, Errno, O_CREAT, O_WRONLY, RENAME_EXCHANGE, RENAME_NOREPLACE } from "../src/index.ts";
import { makeVfs, text } from "./helpers.ts";

async function touch(vfs: ReturnType<typeof makeVfs>["vfs"], ctx: ReturnType<typeof makeVfs>["root"], path: string, data = ""): Promise<void> {
  const file = await vfs.open(ctx, null, path, O_CREAT | O_WRONLY | 0o1000);
  await file.write(text(data));
  file.release();
}

describe("mkdir, unlink, rmdir", () => {
  it("keeps Linux link counts for directories and files", async () => {
    const { vfs, root } = makeVfs();
    vfs.mkdir(root, null, "/d", 0o755);
    expect(vfs.stat(root, null, "/").nlink).toBe(3);
    expect(vfs.stat(root, null, "/d").nlink).toBe(2);
    vfs.mkdir(root, null, "/d/sub", 0o755);
    expect(vfs.stat(root, null, "/d").nlink).toBe(3);
    await touch(vfs, root, "/d/f");
    expect(vfs.stat(root, null, "/d").nlink).toBe(3);
    vfs.unlink(root, null, "/d/sub", AT_REMOVEDIR);
    expect(vfs.stat(root, null, "/d").nlink).toBe(2);
  });

  it("gives the errno Linux gives", async () => {
    const { vfs, root } = makeVfs();
    vfs.mkdir(root, null, "/d", 0o755);
    await touch(vfs, root, "/d/f");
    const expectErrno = (action: () => void, errno: number): void => {
      expect(action).toThrow(expect.objectContaining({ errno }));
    };
    expectErrno(() => { vfs.mkdir(root, null, "/d", 0o755); }, Errno.EEXIST);
    expectErrno(() => { vfs.mkdir(root, null, "/", 0o755); }, Errno.EEXIST);
    expectErrno(() => { vfs.mkdir(root, null, "/nope/x", 0o755); }, Errno.ENOENT);
    expectErrno(() => { vfs.mkdir(root, null, "/d/f/x", 0o755); }, Errno.ENOTDIR);
    expectErrno(() => { vfs.unlink(root, null, "/d"); }, Errno.EISDIR);
    expectErrno(() => { vfs.unlink(root, null, "/d", AT_REMOVEDIR); }, Errno.ENOTEMPTY);
    expectErrno(() => { vfs.unlink(root, null, "/d/f", AT_REMOVEDIR); }, Errno.ENOTDIR);
    expectErrno(() => { vfs.unlink(root, null, "/d/missing"); }, Errno.ENOENT);
    expectErrno(() => { vfs.unlink(root, null, "/d/f/"); }, Errno.ENOTDIR);
    expectErrno(() => { vfs.unlink(root, null, "/d/.", AT_REMOVEDIR); }, Errno.EINVAL);
    expectErrno(() => { vfs.unlink(root, null, "/d/..", AT_REMOVEDIR); }, Errno.ENOTEMPTY);
    expectErrno(() => { vfs.unlink(root, null, "/d/f", 0x1); }, Errno.EINVAL);
    vfs.unlink(root, null, "/d/f");
    vfs.unlink(root, null, "/d/", AT_REMOVEDIR);
    expectErrno(() => vfs.stat(root, null, "/d"), Errno.ENOENT);
  });

  it("keeps an unlinked file readable through an open description", async () => {
    const { vfs, root } = makeVfs();
    await touch(vfs, root, "/gone", "still here");
    const file = await vfs.open(root, null, "/gone", 0);
    vfs.unlink(root, null, "/gone");
    expect(file.stat().nlink).toBe(0);
    expect(new TextDecoder().decode(await file.read(100))).toBe("still here");
  });

  it("makes FIFOs, sockets, and (as root only) device nodes", () => {
    const { vfs, root } = makeVfs();
    vfs.mknod(root, null, "/fifo", 0o010644);
    expect(vfs.stat(root, null, "/fifo").mode).toBe(0o010644);
    vfs.mknod(root, null, "/plain", 0o644);
    expect(vfs.stat(root, null, "/plain").mode).toBe(0o100644);
    vfs.mknod(root, null, "/tty", 0o020620, (4 << 8) | 1);
    expect(vfs.stat(root, null, "/tty").rdev).toBe(0x401);
    const user = vfs.createContext({ uid: 5, gid: 5, groups: [] });
    root.umask = 0;
    vfs.mkdir(root, null, "/pub", 0o777);
    expect(() => { vfs.mknod(user, null, "/pub/dev", 0o020600, 1); }).toThrow(expect.objectContaining({ errno: Errno.EPERM }));
    expect(() => { vfs.mknod(root, null, "/dirnode", 0o040755); }).toThrow(expect.objectContaining({ errno: Errno.EINVAL }));
  });
});

describe("links", () => {
  it("hard links share the inode and count; directories and other mounts refuse", async () => {
    const { vfs, root } = makeVfs();
    await touch(vfs, root, "/a", "data");
    vfs.link(root, null, "/a", null, "/b");
    const a = vfs.stat(root, null, "/a");
    expect(vfs.stat(root, null, "/b").ino).toBe(a.ino);
    expect(a.nlink).toBe(2);
    vfs.unlink(root, null, "/a");
    expect(vfs.stat(root, null, "/b").nlink).toBe(1);
    vfs.mkdir(root, null, "/dir", 0o755);
    expect(() => { vfs.link(root, null, "/dir", null, "/dir2"); }).toThrow(expect.objectContaining({ errno: Errno.EPERM }));
    expect(() => { vfs.link(root, null, "/b", null, "/b"); }).toThrow(expect.objectContaining({ errno: Errno.EEXIST }));
    expect(() => { vfs.link(root, null, "/nope", null, "/c"); }).toThrow(expect.objectContaining({ errno: Errno.ENOENT }));
  });

  it("links the symlink itself unless AT_SYMLINK_FOLLOW", async () => {
    const { vfs, root } = makeVfs();
    await touch(vfs, root, "/t");
    vfs.symlink(root, "/t", null, "/s");
    vfs.link(root, null, "/s", null, "/s2");
    expect(vfs.readlink(root, null, "/s2")).toBe("/t");
    vfs.link(root, null, "/s", null, "/t2", AT_SYMLINK_FOLLOW);
    expect(vfs.stat(root, null, "/t2", 0x100).ino).toBe(vfs.stat(root, null, "/t").ino);
    expect(() => { vfs.symlink(root, "", null, "/empty"); }).toThrow(expect.objectContaining({ errno: Errno.ENOENT }));
    expect(() => { vfs.symlink(root, "x", null, "/s"); }).toThrow(expect.objectContaining({ errno: Errno.EEXIST }));
  });
});

describe("rename", () => {
  it("moves and replaces files atomically, keeping the inode", async () => {
    const { vfs, root } = makeVfs();
    await touch(vfs, root, "/a", "A");
    await touch(vfs, root, "/b", "B");
    const ino = vfs.stat(root, null, "/a").ino;
    vfs.rename(root, null, "/a", null, "/b");
    expect(vfs.stat(root, null, "/b").ino).toBe(ino);
    expect(() => vfs.stat(root, null, "/a")).toThrow(expect.objectContaining({ errno: Errno.ENOENT }));
    vfs.rename(root, null, "/b", null, "/b");
    expect(vfs.stat(root, null, "/b").ino).toBe(ino);
  });

  it("moves directories between parents, fixing link counts and ..", () => {
    const { vfs, root } = makeVfs();
    vfs.mkdir(root, null, "/p1", 0o755);
    vfs.mkdir(root, null, "/p2", 0o755);
    vfs.mkdir(root, null, "/p1/child", 0o755);
    vfs.rename(root, null, "/p1/child", null, "/p2/child");
    expect(vfs.stat(root, null, "/p1").nlink).toBe(2);
    expect(vfs.stat(root, null, "/p2").nlink).toBe(3);
    expect(vfs.stat(root, null, "/p2/child/..").ino).toBe(vfs.stat(root, null, "/p2").ino);
    vfs.mkdir(root, null, "/p1/empty", 0o755);
    vfs.rename(root, null, "/p2/child", null, "/p1/empty");
    expect(vfs.stat(root, null, "/p1").nlink).toBe(3);
  });

  it("refuses what Linux refuses", async () => {
    const { vfs, root } = makeVfs();
    vfs.mkdir(root, null, "/dir", 0o755);
    vfs.mkdir(root, null, "/dir/sub", 0o755);
    vfs.mkdir(root, null, "/full", 0o755);
    await touch(vfs, root, "/full/x");
    await touch(vfs, root, "/file");
    const expectErrno = (action: () => void, errno: number): void => {
      expect(action).toThrow(expect.objectContaining({ errno }));
    };
    expectErrno(() => { vfs.rename(root, null, "/dir", null, "/dir/sub/inner"); }, Errno.EINVAL);
    expectErrno(() => { vfs.rename(root, null, "/dir", null, "/dir/new"); }, Errno.EINVAL);
    expectErrno(() => { vfs.rename(root, null, "/dir", null, "/file"); }, Errno.ENOTDIR);
    expectErrno(() => { vfs.rename(root, null, "/file", null, "/dir"); }, Errno.EISDIR);
    expectErrno(() => { vfs.rename(root, null, "/dir", null, "/full"); }, Errno.ENOTEMPTY);
    expectErrno(() => { vfs.rename(root, null, "/missing", null, "/x"); }, Errno.ENOENT);
    expectErrno(() => { vfs.rename(root, null, "/file/", null, "/x"); }, Errno.ENOTDIR);
    expectErrno(() => { vfs.rename(root, null, "/dir/.", null, "/x"); }, Errno.EBUSY);
    expectErrno(() => { vfs.rename(root, null, "/file", null, "/full/x", RENAME_NOREPLACE); }, Errno.EEXIST);
    expectErrno(() => { vfs.rename(root, null, "/file", null, "/y", RENAME_EXCHANGE); }, Errno.EINVAL);
    vfs.rename(root, null, "/file", null, "/y", RENAME_NOREPLACE);
    expect(vfs.stat(root, null, "/y").size).toBe(0);
  });
});
