/** procfs: callback-generated files, directories and symlinks, VFS-provided files, formatters. */
import { describe, expect, it } from "vitest";
import {
  AT_SYMLINK_NOFOLLOW,
  DevFs,
  Errno,
  O_APPEND,
  O_RDWR,
  Vfs,
  O_CREAT,
  O_DIRECTORY,
  O_RDONLY,
  O_TRUNC,
  O_WRONLY,
  ProcFs,
  type ProcNode,
  bytesToPath,
  formatCmdline,
  formatLoadavg,
  formatMeminfo,
  formatMounts,
  formatProcessStat,
  formatUptime,
  procDir,
} from "../src/index.ts";
import { ManualClock, makeVfs, readAllText, text } from "./helpers.ts";

function direntNames(bytes: Uint8Array): string[] {
  const names: string[] = [];
  for (let offset = 0; offset < bytes.length; ) {
    const reclen = (bytes[offset + 16] ?? 0) | ((bytes[offset + 17] ?? 0) << 8);
    names.push(bytesToPath(bytes.subarray(offset + 19, bytes.indexOf(0, offset + 19))));
    offset += reclen;
  }
  return names;
}

function withProc(): ReturnType<typeof makeVfs> & { proc: ProcFs; processes: Map<number, { uid: number; comm: string }>; current: { pid: number } } {
  const setup = makeVfs();
  const proc = new ProcFs(setup.vfs);
  setup.vfs.mkdir(setup.root, null, "/proc", 0o555);
  setup.vfs.mount(setup.root, proc, null, "/proc", "proc");
  const processes = new Map([
    [1, { uid: 0, comm: "init" }],
    [42, { uid: 1000, comm: "sh" }],
  ]);
  const current = { pid: 42 };
  const processDir = (pid: number): ProcNode | undefined => {
    const process = processes.get(pid);
    if (process === undefined) return undefined;
    return procDir(
      new Map<string, ProcNode>([
        ["stat", { kind: "file", read: () => `${String(pid)} (${process.comm}) S\n` }],
        ["exe", { kind: "symlink", target: () => "/bin/busybox" }],
      ]),
      { owner: () => ({ uid: process.uid, gid: process.uid }) },
    );
  };
  proc.addDynamicEntries({
    list: () => [...processes.keys()].map(String),
    lookup: (name) => (/^[1-9][0-9]*$/.test(name) ? processDir(Number(name)) : undefined),
  });
  proc.register("self", { kind: "symlink", target: () => String(current.pid) });
  let written = "";
  proc.register("meminfo", { kind: "file", read: () => "MemTotal: 1024 kB\n" });
  proc.register("sys", procDir(new Map([["knob", { kind: "file", mode: 0o644, read: () => written, write: (data: Uint8Array) => (written = new TextDecoder().decode(data)) } satisfies ProcNode]])));
  return { ...setup, proc, processes, current };
}

describe("procfs", () => {
  it("generates file contents at open from kernel callbacks", async () => {
    const { vfs, root } = withProc();
    expect(await readAllText(await vfs.open(root, null, "/proc/meminfo", O_RDONLY))).toBe("MemTotal: 1024 kB\n");
    expect(await readAllText(await vfs.open(root, null, "/proc/42/stat", O_RDONLY))).toBe("42 (sh) S\n");
    expect(vfs.stat(root, null, "/proc/meminfo")).toMatchObject({ mode: 0o100444, size: 0 });
  });

  it("serves /proc/self and /proc/<pid>/exe as computed symlinks and owns pid dirs by uid", () => {
    const { vfs, root, current } = withProc();
    expect(vfs.readlink(root, null, "/proc/self")).toBe("42");
    expect(vfs.readlink(root, null, "/proc/self/exe")).toBe("/bin/busybox");
    expect(vfs.stat(root, null, "/proc/self")).toMatchObject({ uid: 1000, mode: 0o040555 });
    current.pid = 1;
    expect(vfs.stat(root, null, "/proc/self/stat").ino).toBe(vfs.stat(root, null, "/proc/1/stat").ino);
  });

  it("lists fixed and dynamic entries, and forgets processes that exit", async () => {
    const { vfs, root, processes, proc } = withProc();
    const dir = await vfs.open(root, null, "/proc", O_RDONLY | O_DIRECTORY);
    expect(direntNames(dir.getdents64(4096))).toEqual([".", "..", "mounts", "filesystems", "self", "meminfo", "sys", "1", "42"]);
    const ino = vfs.stat(root, null, "/proc/42").ino;
    expect(vfs.stat(root, null, "/proc/42").ino).toBe(ino);
    vfs.stat(root, null, "/proc/42/stat");
    const cachedWith42 = proc.cachedInodes;
    processes.delete(42);
    direntNames((await vfs.open(root, null, "/proc", O_RDONLY)).getdents64(4096));
    expect(proc.cachedInodes).toBe(cachedWith42 - 2);
    expect(() => vfs.stat(root, null, "/proc/42")).toThrow(expect.objectContaining({ errno: Errno.ENOENT }));
    expect(() => vfs.stat(root, null, "/proc/self")).toThrow(expect.objectContaining({ errno: Errno.ENOENT }));
  });

  it("shows /proc/mounts and /proc/filesystems from the VFS", async () => {
    const { vfs, root } = withProc();
    expect(await readAllText(await vfs.open(root, null, "/proc/mounts", O_RDONLY))).toBe("rootfs / rootfs rw 0 0\nproc /proc proc rw 0 0\n");
    expect(await readAllText(await vfs.open(root, null, "/proc/filesystems", O_RDONLY))).toBe("nodev\trootfs\nnodev\tproc\n");
  });

  it("accepts writes only where the kernel provides a handler; refuses tree changes", async () => {
    const { vfs, root } = withProc();
    const knob = await vfs.open(root, null, "/proc/sys/knob", O_WRONLY | O_CREAT | O_TRUNC);
    await knob.write(text("7"));
    expect(await readAllText(await vfs.open(root, null, "/proc/sys/knob", O_RDONLY))).toBe("7");
    const meminfo = await vfs.open(root, null, "/proc/meminfo", O_WRONLY);
    await expect(meminfo.write(text("x"))).rejects.toMatchObject({ errno: Errno.EIO });
    const user = vfs.createContext({ uid: 1000, gid: 1000, groups: [] });
    await expect(vfs.open(user, null, "/proc/meminfo", O_WRONLY)).rejects.toMatchObject({ errno: Errno.EACCES });
    await expect(vfs.open(root, null, "/proc/new", O_CREAT | O_WRONLY)).rejects.toMatchObject({ errno: Errno.EPERM });
    expect(() => { vfs.mkdir(root, null, "/proc/d", 0o755); }).toThrow(expect.objectContaining({ errno: Errno.EPERM }));
    expect(() => { vfs.unlink(root, null, "/proc/meminfo"); }).toThrow(expect.objectContaining({ errno: Errno.EPERM }));
    expect(() => { vfs.rename(root, null, "/proc/meminfo", null, "/proc/m"); }).toThrow(expect.objectContaining({ errno: Errno.EPERM }));
  });

  it("keeps getcwd working inside /proc", () => {
    const { vfs, root } = withProc();
    vfs.chdir(root, null, "/proc/self");
    expect(vfs.getcwd(root)).toBe("/proc/42");
  });
});

describe("procfs text formatters", () => {
  it("prints /proc/<pid>/stat with 52 fields and a parenthesised comm", () => {
    const line = formatProcessStat({ pid: 42, comm: "a name with spaces", state: "S", ppid: 1, pgrp: 42, session: 1, userTicks: 7, startTicks: 300, virtualBytes: 4096, residentPages: 3 });
    expect(line.endsWith("\n")).toBe(true);
    const afterComm = line.slice(line.lastIndexOf(")") + 2).trim().split(" ");
    expect(line.startsWith("42 (a name with spa) S 1 42 1 0 -1 ")).toBe(true);
    expect(afterComm.length).toBe(50);
    expect(afterComm[11]).toBe("7");
    expect(afterComm[19]).toBe("300");
    expect(afterComm[20]).toBe("4096");
    expect(afterComm[21]).toBe("3");
  });

  it("prints meminfo, cmdline, uptime and loadavg as Linux does", () => {
    expect(formatMeminfo([["MemTotal", 1048576], ["MemFree", 12]])).toBe("MemTotal:        1048576 kB\nMemFree:              12 kB\n");
    expect(formatCmdline(["sh", "-c", "echo hi"])).toBe("sh\0-c\0echo hi\0");
    expect(formatUptime(12.345, 3)).toBe("12.35 3.00\n");
    expect(formatLoadavg([0, 0.5, 1], 1, 5, 99)).toBe("0.00 0.50 1.00 1/5 99\n");
    expect(formatMounts([{ source: "my disk", path: "/mnt/a\\b", type: "ext2", readOnly: true }])).toBe(
      "my\\040disk /mnt/a\\134b ext2 ro 0 0\n",
    );
  });
});

describe("magic links (/proc/<pid>/fd/N, /dev/fd/N)", () => {
  it("land on the open file itself: unlinked files and pipes reopen", async () => {
    const clock = new ManualClock();
    const reopenedPipes: number[] = [];
    const vfs = new Vfs({
      clock: clock.read,
      fifoOpener: (inode) => {
        reopenedPipes.push(inode.ino);
        return { seekable: false, read: () => text("pipe data"), write: (_offset, data) => data.length };
      },
    });
    const root = vfs.createContext();
    const proc = new ProcFs(vfs);
    const devfs = new DevFs(vfs, { entropy: (out) => out.fill(4) });
    for (const dir of ["/proc", "/dev", "/tmp"]) vfs.mkdir(root, null, dir, 0o755);
    vfs.mount(root, proc, null, "/proc", "proc");
    vfs.mount(root, devfs.fs, null, "/dev", "devtmpfs");
    const gone = await vfs.open(root, null, "/tmp/gone", O_CREAT | O_RDWR);
    await gone.write(text("still readable"));
    vfs.unlink(root, null, "/tmp/gone");
    const pipeEnd = vfs.openAnonymous(root, { seekable: false, read: () => new Uint8Array(0), write: () => 0 }, O_RDONLY);
    const fds = new Map([
      [3, gone],
      [4, pipeEnd],
    ]);
    const fdDir = procDir(
      new Map<string, ProcNode>(
        [...fds].map(([fd, file]) => [String(fd), { kind: "symlink", target: () => file.pathName, jump: () => file.place }]),
      ),
    );
    proc.register("self", { kind: "symlink", target: () => "7" });
    proc.register("7", procDir(new Map([["fd", fdDir]])));

    expect(vfs.readlink(root, null, "/proc/self/fd/3")).toBe("/tmp/gone");
    expect(vfs.stat(root, null, "/dev/fd/3").ino).toBe(gone.inode.ino);
    const reopened = await vfs.open(root, null, "/dev/fd/3", O_RDONLY);
    expect(await readAllText(reopened)).toBe("still readable");
    expect(reopened.pathName).toBe("/tmp/gone");
    const appended = await vfs.open(root, null, "/proc/self/fd/3", O_CREAT | O_WRONLY | O_APPEND);
    await appended.write(text("!"));
    expect(gone.inode.size()).toBe(15);
    const pipeAgain = await vfs.open(root, null, "/dev/fd/4", O_RDONLY);
    expect(new TextDecoder().decode(await pipeAgain.read(100))).toBe("pipe data");
    expect(reopenedPipes).toEqual([pipeEnd.inode.ino]);
    expect(vfs.stat(root, null, "/proc/self/fd/4", AT_SYMLINK_NOFOLLOW).mode & 0o170000).toBe(0o120000);
  });
});
