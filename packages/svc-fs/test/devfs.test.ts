/** devfs, the memory devices, kernel character devices, FIFO hook, anonymous files, I/O caller. */
import { describe, expect, it } from "vitest";
import {
  type CharDevice,
  DevFs,
  Errno,
  type FileHandle,
  FsError,
  type IoCaller,
  KERNEL_CALLER,
  O_NONBLOCK,
  O_RDONLY,
  O_RDWR,
  O_WRONLY,
  POLLIN,
  POLLOUT,
  SEEK_SET,
  Vfs,
} from "../src/index.ts";
import { ManualClock, makeVfs, text } from "./helpers.ts";

function withDevfs(): ReturnType<typeof makeVfs> & { devfs: DevFs } {
  const setup = makeVfs();
  let counter = 0;
  const devfs = new DevFs(setup.vfs, {
    entropy: (out) => {
      for (let index = 0; index < out.length; index += 1) out[index] = (counter += 1) & 0xff;
    },
  });
  setup.vfs.mkdir(setup.root, null, "/dev", 0o755);
  setup.vfs.mount(setup.root, devfs.fs, null, "/dev", "devtmpfs");
  return { ...setup, devfs };
}

describe("devfs and the memory devices", () => {
  it("provides null, zero, full, random and urandom with Linux numbers", async () => {
    const { vfs, root } = withDevfs();
    expect(vfs.stat(root, null, "/dev/null")).toMatchObject({ mode: 0o020666, rdev: 0x103 });
    const devNull = await vfs.open(root, null, "/dev/null", O_RDWR);
    expect(await devNull.write(text("gone"))).toBe(4);
    expect(await devNull.read(10)).toHaveLength(0);
    expect(devNull.lseek(100, SEEK_SET)).toBe(0);
    await expect(devNull.pread(0, 1)).rejects.toMatchObject({ errno: Errno.ESPIPE });
    const zero = await vfs.open(root, null, "/dev/zero", O_RDONLY);
    expect([...(await zero.read(4))]).toEqual([0, 0, 0, 0]);
    const full = await vfs.open(root, null, "/dev/full", O_RDWR);
    await expect(full.write(text("x"))).rejects.toMatchObject({ errno: Errno.ENOSPC });
    expect([...(await full.read(2))]).toEqual([0, 0]);
    const random = await vfs.open(root, null, "/dev/urandom", O_RDONLY);
    expect([...(await random.read(3))]).toEqual([1, 2, 3]);
    const blocking = await vfs.open(root, null, "/dev/random", O_RDONLY);
    expect([...(await blocking.read(2))]).toEqual([4, 5]);
    expect(vfs.readlink(root, null, "/dev/stdin")).toBe("/proc/self/fd/0");
    await expect(zero.ioctl(0x5401, 0)).rejects.toMatchObject({ errno: Errno.ENOTTY });
  });

  it("routes opens of kernel devices (also from nodes in other file systems) and calls release once", async () => {
    const { vfs, root, devfs } = withDevfs();
    const log: string[] = [];
    let listener: (() => void) | undefined;
    const console: CharDevice = {
      open: (flags) => log.push(`open ${String(flags & 3)}`),
      read: async (length, nonblock) => {
        if (nonblock) throw new FsError(Errno.EAGAIN, "no input");
        await Promise.resolve();
        return text("typed".slice(0, length));
      },
      write: (data) => {
        log.push(`write ${new TextDecoder().decode(data)}`);
        return data.length;
      },
      ioctl: (request, arg) => request + arg,
      poll: (events) => events & POLLOUT,
      subscribe: (callback) => {
        listener = callback;
        return () => {
          listener = undefined;
        };
      },
      release: () => log.push("release"),
    };
    devfs.addCharDevice("console", 5, 1, console, 0o600);
    devfs.addCharDevice("pts/0", 136, 0, console, 0o620, 5);
    expect(vfs.stat(root, null, "/dev/pts/0")).toMatchObject({ mode: 0o020620, gid: 5 });
    const file = await vfs.open(root, null, "/dev/console", O_RDWR);
    expect(new TextDecoder().decode(await file.read(3))).toBe("typ");
    await file.write(text("hi"));
    expect(await file.ioctl(0x5401, 1)).toBe(0x5402);
    expect(file.poll(POLLIN | POLLOUT)).toBe(POLLOUT);
    let woken = 0;
    const unsubscribe = file.subscribe(() => (woken += 1));
    listener?.();
    unsubscribe();
    expect(woken).toBe(1);
    expect(() => file.lseek(0, SEEK_SET)).toThrow(expect.objectContaining({ errno: Errno.ESPIPE }));
    expect(listener).toBeUndefined();
    file.setStatusFlags(O_NONBLOCK);
    await expect(file.read(1)).rejects.toMatchObject({ errno: Errno.EAGAIN });
    const dup = file.acquire();
    file.release();
    dup.release();
    dup.release();
    expect(log).toEqual(["open 2", "write hi", "release"]);
    vfs.mknod(root, null, "/console-copy", 0o020600, 0x501);
    await vfs.open(root, null, "/console-copy", O_WRONLY);
    expect(log.at(-1)).toBe("open 1");
    expect(() => { devfs.addCharDevice("again", 5, 1, console); }).toThrow(expect.objectContaining({ errno: Errno.EBUSY }));
    devfs.removeCharDevice("console", 5, 1);
    await expect(vfs.open(root, null, "/console-copy", O_WRONLY)).rejects.toMatchObject({ errno: Errno.ENXIO });
  });

  it("opens FIFOs through the kernel's hook, and refuses them (and block devices) without one", async () => {
    const { vfs, root } = makeVfs();
    vfs.mknod(root, null, "/fifo", 0o010666);
    vfs.mknod(root, null, "/blk", 0o060600, 0x801);
    await expect(vfs.open(root, null, "/fifo", O_RDONLY)).rejects.toMatchObject({ errno: Errno.ENXIO });
    await expect(vfs.open(root, null, "/blk", O_RDONLY)).rejects.toMatchObject({ errno: Errno.ENXIO });
    const clock = new ManualClock();
    const seen: number[] = [];
    const pipeEnd: FileHandle = { seekable: false, read: () => text("from pipe"), write: (_offset, data) => data.length };
    const withHook = new Vfs({
      clock: clock.read,
      fifoOpener: (inode, flags) => {
        seen.push(inode.ino, flags);
        return pipeEnd;
      },
    });
    const ctx = withHook.createContext();
    withHook.mknod(ctx, null, "/fifo", 0o010666);
    const reader = await withHook.open(ctx, null, "/fifo", O_RDONLY);
    expect(new TextDecoder().decode(await reader.read(100))).toBe("from pipe");
    expect(seen).toEqual([withHook.stat(ctx, null, "/fifo").ino, O_RDONLY]);
  });
});

describe("anonymous open files (pipe ends, sockets)", () => {
  it("wrap a kernel handle with a fresh unnamed inode", async () => {
    const { vfs } = makeVfs();
    const user = vfs.createContext({ uid: 7, gid: 8, groups: [] });
    let released = 0;
    const handle: FileHandle = {
      seekable: false,
      read: () => text("data"),
      write: (_offset, data) => data.length,
      poll: (events) => events & POLLIN,
      release: () => (released += 1),
    };
    const readEnd = vfs.openAnonymous(user, handle, O_RDONLY);
    expect(readEnd.stat()).toMatchObject({ mode: 0o010600, uid: 7, gid: 8, nlink: 1 });
    expect(readEnd.pathName).toMatch(/^pipe:\[\d+\]$/);
    expect(new TextDecoder().decode(await readEnd.read(10))).toBe("data");
    await expect(readEnd.write(text("x"))).rejects.toMatchObject({ errno: Errno.EBADF });
    expect(readEnd.poll(POLLIN | POLLOUT)).toBe(POLLIN);
    expect(() => readEnd.lseek(0, SEEK_SET)).toThrow(expect.objectContaining({ errno: Errno.ESPIPE }));
    const other = vfs.openAnonymous(user, handle, O_WRONLY);
    expect(other.inode.ino).not.toBe(readEnd.inode.ino);
    readEnd.release();
    expect(released).toBe(1);
    expect(vfs.mountsText()).not.toContain("pipefs");
  });
});

describe("the I/O caller", () => {
  it("reaches devices and the FIFO opener unchanged, and defaults to the kernel caller", async () => {
    const raised: number[] = [];
    const caller: IoCaller = { interrupted: () => true, raise: (signal) => raised.push(signal) };
    const seen: IoCaller[] = [];
    const device: CharDevice = {
      read: (_length, _nonblock, who) => {
        seen.push(who);
        if (who.interrupted()) throw new FsError(Errno.EINTR, "signal pending");
        return new Uint8Array(0);
      },
      write: (data, _nonblock, who) => {
        who.raise(13);
        throw new FsError(Errno.EPIPE, "no reader");
      },
      ioctl: (_request, _arg, who) => {
        seen.push(who);
        return 0;
      },
    };
    const { vfs, root, devfs } = withDevfs();
    devfs.addCharDevice("thing", 10, 1, device);
    const file = await vfs.open(root, null, "/dev/thing", O_RDWR);
    await expect(file.read(1, caller)).rejects.toMatchObject({ errno: Errno.EINTR });
    await expect(file.write(text("x"), caller)).rejects.toMatchObject({ errno: Errno.EPIPE });
    await file.ioctl(1, 2);
    expect(seen).toEqual([caller, KERNEL_CALLER]);
    expect(raised).toEqual([13]);
  });
});
