/** Who may do what: mode bits, groups, root, setgid directories, sticky bit, chmod/chown/utimens. */
import { describe, expect, it } from "vitest";
import { Errno, O_CREAT, O_RDONLY, O_RDWR, O_WRONLY, R_OK, UTIME_NOW, UTIME_OMIT, W_OK, X_OK } from "../src/index.ts";
import { makeVfs, userContext } from "./helpers.ts";

describe("permission checks", () => {
  it("checks owner, group and other bits; root bypasses all but exec", async () => {
    const { vfs, root } = makeVfs();
    await vfs.open(root, null, "/secret", O_CREAT | O_WRONLY, 0o640);
    vfs.chown(root, null, "/secret", 1000, 100);
    const owner = userContext(vfs, 1000, 1000);
    const member = userContext(vfs, 2000, 2000, [100]);
    const stranger = userContext(vfs, 3000, 3000);
    await vfs.open(owner, null, "/secret", O_RDWR);
    await vfs.open(member, null, "/secret", O_RDONLY);
    await expect(vfs.open(member, null, "/secret", O_WRONLY)).rejects.toMatchObject({ errno: Errno.EACCES });
    await expect(vfs.open(stranger, null, "/secret", O_RDONLY)).rejects.toMatchObject({ errno: Errno.EACCES });
    vfs.access(root, null, "/secret", R_OK | W_OK);
    expect(() => { vfs.access(root, null, "/secret", X_OK); }).toThrow(expect.objectContaining({ errno: Errno.EACCES }));
    vfs.chmod(root, null, "/secret", 0o740);
    vfs.access(root, null, "/secret", X_OK);
    expect(() => { vfs.access(root, null, "/secret", 8); }).toThrow(expect.objectContaining({ errno: Errno.EINVAL }));
  });

  it("needs search permission on every directory and write on the parent to create", async () => {
    const { vfs, root } = makeVfs();
    vfs.mkdir(root, null, "/locked", 0o700);
    vfs.mkdir(root, null, "/locked/in", 0o777);
    vfs.mkdir(root, null, "/ro", 0o755);
    const user = userContext(vfs, 1000, 1000);
    expect(() => vfs.stat(user, null, "/locked/in")).toThrow(expect.objectContaining({ errno: Errno.EACCES }));
    await expect(vfs.open(user, null, "/ro/new", O_CREAT | O_WRONLY)).rejects.toMatchObject({ errno: Errno.EACCES });
    expect(() => { vfs.mkdir(user, null, "/ro/d", 0o755); }).toThrow(expect.objectContaining({ errno: Errno.EACCES }));
    expect(() => { vfs.chdir(user, null, "/locked"); }).toThrow(expect.objectContaining({ errno: Errno.EACCES }));
  });

  it("creates files owned by the caller, inheriting the group of setgid directories", async () => {
    const { vfs, root } = makeVfs();
    vfs.mkdir(root, null, "/shared", 0o777);
    vfs.chown(root, null, "/shared", 0, 50);
    vfs.chmod(root, null, "/shared", 0o2777);
    const user = userContext(vfs, 1000, 1000);
    user.umask = 0;
    await vfs.open(user, null, "/shared/f", O_CREAT | O_WRONLY, 0o644);
    vfs.mkdir(user, null, "/shared/d", 0o755);
    expect(vfs.stat(root, null, "/shared/f")).toMatchObject({ uid: 1000, gid: 50 });
    expect(vfs.stat(root, null, "/shared/d").mode).toBe(0o042755);
  });

  it("enforces the sticky bit on removal and rename", async () => {
    const { vfs, root } = makeVfs();
    root.umask = 0;
    vfs.mkdir(root, null, "/tmp", 0o1777);
    const alice = userContext(vfs, 1000, 1000);
    const bob = userContext(vfs, 1001, 1001);
    await vfs.open(alice, null, "/tmp/a", O_CREAT | O_WRONLY);
    expect(() => { vfs.unlink(bob, null, "/tmp/a"); }).toThrow(expect.objectContaining({ errno: Errno.EPERM }));
    expect(() => { vfs.rename(bob, null, "/tmp/a", null, "/tmp/b"); }).toThrow(expect.objectContaining({ errno: Errno.EPERM }));
    vfs.unlink(alice, null, "/tmp/a");
  });

  it("restricts chmod, chown and explicit times to the owner (and root)", async () => {
    const { vfs, root, clock } = makeVfs();
    root.umask = 0;
    vfs.mkdir(root, null, "/home", 0o777);
    const alice = userContext(vfs, 1000, 1000, [20]);
    const bob = userContext(vfs, 1001, 1001);
    await vfs.open(alice, null, "/home/f", O_CREAT | O_WRONLY, 0o666);
    expect(() => { vfs.chmod(bob, null, "/home/f", 0o777); }).toThrow(expect.objectContaining({ errno: Errno.EPERM }));
    expect(() => { vfs.chown(alice, null, "/home/f", 1001, -1); }).toThrow(expect.objectContaining({ errno: Errno.EPERM }));
    expect(() => { vfs.chown(alice, null, "/home/f", -1, 30); }).toThrow(expect.objectContaining({ errno: Errno.EPERM }));
    vfs.chown(alice, null, "/home/f", -1, 20);
    expect(vfs.stat(root, null, "/home/f").gid).toBe(20);
    vfs.chmod(root, null, "/home/f", 0o4755);
    vfs.chown(root, null, "/home/f", 1001, -1);
    expect(vfs.stat(root, null, "/home/f")).toMatchObject({ uid: 1001, mode: 0o100755 });
    clock.advance(100);
    vfs.utimens(root, null, "/home/f", [{ sec: 5, nsec: 6 }, { sec: 0, nsec: UTIME_OMIT }]);
    const stat = vfs.stat(root, null, "/home/f");
    expect(stat.atime).toEqual({ sec: 5, nsec: 6 });
    expect(stat.ctime).toEqual(clock.now);
    expect(() => { vfs.utimens(alice, null, "/home/f", [{ sec: 1, nsec: 0 }, { sec: 1, nsec: 0 }]); }).toThrow(
      expect.objectContaining({ errno: Errno.EPERM }),
    );
    vfs.chmod(root, null, "/home/f", 0o600);
    expect(() => { vfs.utimens(alice, null, "/home/f", null); }).toThrow(expect.objectContaining({ errno: Errno.EACCES }));
    vfs.utimens(root, null, "/home/f", [{ sec: 0, nsec: UTIME_NOW }, { sec: 0, nsec: UTIME_NOW }]);
    expect(vfs.stat(root, null, "/home/f").mtime).toEqual(clock.now);
    expect(() => { vfs.utimens(root, null, "/home/f", [{ sec: 0, nsec: 2e9 }, { sec: 0, nsec: 0 }]); }).toThrow(
      expect.objectContaining({ errno: Errno.EINVAL }),
    );
  });

  it("drops set-id bits when a non-root caller writes or truncates, but not for root", async () => {
    const { vfs, root } = makeVfs();
    root.umask = 0;
    vfs.mkdir(root, null, "/bin", 0o777);
    const user = userContext(vfs, 1000, 1000);
    for (const path of ["/bin/by-root", "/bin/by-user", "/bin/truncated"]) {
      await vfs.open(root, null, path, O_CREAT | O_WRONLY, 0o666);
      vfs.chmod(root, null, path, 0o6777);
    }
    await (await vfs.open(root, null, "/bin/by-root", O_WRONLY)).write(new Uint8Array([1]));
    expect(vfs.stat(root, null, "/bin/by-root").mode & 0o7777).toBe(0o6777);
    const userFile = await vfs.open(user, null, "/bin/by-user", O_WRONLY);
    await userFile.write(new Uint8Array(0));
    expect(vfs.stat(root, null, "/bin/by-user").mode & 0o7777).toBe(0o6777);
    await userFile.write(new Uint8Array([1]));
    expect(vfs.stat(root, null, "/bin/by-user").mode & 0o7777).toBe(0o777);
    vfs.chmod(root, null, "/bin/truncated", 0o6767);
    await vfs.open(user, null, "/bin/truncated", O_WRONLY | 0o1000);
    expect(vfs.stat(root, null, "/bin/truncated").mode & 0o7777).toBe(0o2767);
  });
});
