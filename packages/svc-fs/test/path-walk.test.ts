/** Path resolution: . and .., symlinks and ELOOP, cwd and dirfds, mounts, chroot, limits. */
import { describe, expect, it } from "vitest";
import { AT_EMPTY_PATH, AT_SYMLINK_NOFOLLOW, Errno, O_DIRECTORY, O_RDONLY, RamFs } from "../src/index.ts";
import { makeVfs } from "./helpers.ts";

describe("path walking", () => {
  it("resolves ., .., repeated slashes, and stops .. at the root", () => {
    const { vfs, root } = makeVfs();
    vfs.mkdir(root, null, "/a", 0o755);
    vfs.mkdir(root, null, "/a/b", 0o755);
    const b = vfs.stat(root, null, "/a/b");
    expect(vfs.stat(root, null, "//a/./b/../b/").ino).toBe(b.ino);
    expect(vfs.stat(root, null, "/../../a/b").ino).toBe(b.ino);
    expect(vfs.stat(root, null, "/a/b/../..").ino).toBe(vfs.stat(root, null, "/").ino);
  });

  it("walks relative to the cwd and to a directory file; getcwd follows renames", async () => {
    const { vfs, root } = makeVfs();
    vfs.mkdir(root, null, "/x", 0o755);
    vfs.mkdir(root, null, "/x/y", 0o755);
    vfs.chdir(root, null, "/x/y");
    expect(vfs.getcwd(root)).toBe("/x/y");
    vfs.mkdir(root, null, "z", 0o755);
    expect(vfs.stat(root, null, "/x/y/z").mode & 0o170000).toBe(0o040000);
    const dirfd = await vfs.open(root, null, "/x", O_RDONLY | O_DIRECTORY);
    expect(vfs.stat(root, dirfd, "y/z").ino).toBe(vfs.stat(root, null, "z").ino);
    expect(vfs.stat(root, dirfd, "", AT_EMPTY_PATH).ino).toBe(dirfd.inode.ino);
    expect(() => vfs.stat(root, dirfd, "")).toThrow(expect.objectContaining({ errno: Errno.ENOENT }));
    vfs.rename(root, null, "/x", null, "/renamed");
    expect(vfs.getcwd(root)).toBe("/renamed/y");
    vfs.chdir(root, null, "z");
    vfs.unlink(root, null, "/renamed/y/z", 0x200);
    expect(() => vfs.getcwd(root)).toThrow(expect.objectContaining({ errno: Errno.ENOENT }));
  });

  it("follows symlinks (relative, absolute, chained) and keeps a final one on request", () => {
    const { vfs, root } = makeVfs();
    vfs.mkdir(root, null, "/d", 0o755);
    vfs.mkdir(root, null, "/d/e", 0o755);
    vfs.symlink(root, "e", null, "/d/rel");
    vfs.symlink(root, "/d/rel", null, "/abs");
    vfs.symlink(root, "../../d", null, "/d/e/up");
    const e = vfs.stat(root, null, "/d/e").ino;
    expect(vfs.stat(root, null, "/abs").ino).toBe(e);
    expect(vfs.stat(root, null, "/abs/up/e").ino).toBe(e);
    expect(vfs.stat(root, null, "/abs/up/rel/..").ino).toBe(vfs.stat(root, null, "/d").ino);
    expect(vfs.stat(root, null, "/abs", AT_SYMLINK_NOFOLLOW).mode & 0o170000).toBe(0o120000);
    expect(vfs.readlink(root, null, "/abs")).toBe("/d/rel");
    expect(() => vfs.readlink(root, null, "/d")).toThrow(expect.objectContaining({ errno: Errno.EINVAL }));
  });

  it("gives ELOOP after 40 links and at self-referencing loops", () => {
    const { vfs, root } = makeVfs();
    vfs.symlink(root, "loop", null, "/loop");
    expect(() => vfs.stat(root, null, "/loop")).toThrow(expect.objectContaining({ errno: Errno.ELOOP }));
    vfs.mkdir(root, null, "/t", 0o755);
    for (let index = 1; index <= 41; index += 1) vfs.symlink(root, `l${String(index - 1)}`, null, `/t/l${String(index)}`);
    vfs.mkdir(root, null, "/t/l0", 0o755);
    expect(vfs.stat(root, null, "/t/l40").ino).toBe(vfs.stat(root, null, "/t/l0").ino);
    expect(() => vfs.stat(root, null, "/t/l41")).toThrow(expect.objectContaining({ errno: Errno.ELOOP }));
  });

  it("rejects over-long names and paths, and non-directories in the middle", async () => {
    const { vfs, root } = makeVfs();
    expect(() => vfs.stat(root, null, `/${"n".repeat(256)}`)).toThrow(expect.objectContaining({ errno: Errno.ENAMETOOLONG }));
    expect(() => vfs.stat(root, null, "/a".repeat(2100))).toThrow(expect.objectContaining({ errno: Errno.ENAMETOOLONG }));
    await vfs.open(root, null, "/file", 0o100);
    expect(() => vfs.stat(root, null, "/file/x")).toThrow(expect.objectContaining({ errno: Errno.ENOTDIR }));
    expect(() => vfs.stat(root, null, "/file/")).toThrow(expect.objectContaining({ errno: Errno.ENOTDIR }));
    expect(() => { vfs.chdir(root, null, "/file"); }).toThrow(expect.objectContaining({ errno: Errno.ENOTDIR }));
  });

  it("crosses mounts both ways, shows them in /proc/mounts text, and unmounts", () => {
    const { vfs, root, clock } = makeVfs();
    vfs.mkdir(root, null, "/mnt", 0o755);
    vfs.mkdir(root, null, "/mnt/under", 0o755);
    const tmp = new RamFs({ clock: clock.read, type: "tmpfs" });
    vfs.mount(root, tmp, null, "/mnt", "tmpfs");
    expect(() => vfs.stat(root, null, "/mnt/under")).toThrow(expect.objectContaining({ errno: Errno.ENOENT }));
    vfs.mkdir(root, null, "/mnt/inside", 0o755);
    expect(vfs.stat(root, null, "/mnt").dev).toBe(tmp.dev);
    expect(vfs.stat(root, null, "/mnt/inside/../..").ino).toBe(vfs.stat(root, null, "/").ino);
    vfs.chdir(root, null, "/mnt/inside");
    expect(vfs.getcwd(root)).toBe("/mnt/inside");
    expect(vfs.mountsText()).toBe("rootfs / rootfs rw 0 0\ntmpfs /mnt tmpfs rw 0 0\n");
    expect(vfs.filesystemsText()).toContain("nodev\ttmpfs\n");
    expect(() => { vfs.rename(root, null, "/mnt/inside", null, "/moved"); }).toThrow(expect.objectContaining({ errno: Errno.EXDEV }));
    expect(() => { vfs.unlink(root, null, "/mnt", 0x200); }).toThrow(expect.objectContaining({ errno: Errno.EBUSY }));
    expect(() => { vfs.umount(root, null, "/mnt/inside"); }).toThrow(expect.objectContaining({ errno: Errno.EINVAL }));
    vfs.chdir(root, null, "/");
    vfs.umount(root, null, "/mnt");
    expect(vfs.stat(root, null, "/mnt/under").ino).toBeGreaterThan(0);
    expect(() => { vfs.umount(root, null, "/"); }).toThrow(expect.objectContaining({ errno: Errno.EBUSY }));
  });

  it("lets only root mount", () => {
    const { vfs, clock } = makeVfs();
    const user = vfs.createContext({ uid: 1000, gid: 1000, groups: [] });
    expect(() => vfs.mount(user, new RamFs({ clock: clock.read }), null, "/")).toThrow(expect.objectContaining({ errno: Errno.EPERM }));
  });

  it("keeps the process root: .. and absolute paths stay inside a chroot", () => {
    const { vfs, root } = makeVfs();
    vfs.mkdir(root, null, "/jail", 0o755);
    vfs.mkdir(root, null, "/jail/etc", 0o755);
    vfs.mkdir(root, null, "/outside", 0o755);
    const jailed = root.clone();
    expect(() => vfs.chroot(vfs.createContext({ uid: 1, gid: 1, groups: [] }), null, "/jail")).toThrow(
      expect.objectContaining({ errno: Errno.EPERM }),
    );
    vfs.chroot(jailed, null, "/jail");
    vfs.chdir(jailed, null, "/");
    expect(vfs.stat(jailed, null, "/../etc").ino).toBe(vfs.stat(root, null, "/jail/etc").ino);
    expect(() => vfs.stat(jailed, null, "/outside")).toThrow(expect.objectContaining({ errno: Errno.ENOENT }));
    vfs.chdir(jailed, null, "/etc");
    expect(vfs.getcwd(jailed)).toBe("/etc");
  });
});
