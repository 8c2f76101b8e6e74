/**
 * Path syscalls, forwarded to svc-fs's VFS with the caller's file-system context: open,
 * the stat family, access, mkdir, unlink/rmdir, rename, symlink/readlink, link, chdir and
 * getcwd, chmod/chown, utimensat, truncate, statfs and mknod. Both the legacy calls and
 * their *at forms are served by one implementation each.
 */

import {
  AT_EMPTY_PATH,
  AT_FDCWD,
  AT_REMOVEDIR,
  AT_SYMLINK_NOFOLLOW,
  encodeStat,
  encodeStatfs,
  encodeStatx,
  O_CLOEXEC,
  O_CREAT,
  O_TRUNC,
  O_WRONLY,
  UTIME_NOW,
  UTIME_OMIT,
  type OpenFile,
  type Timespec,
} from "@asterism/svc-fs";
import { Errno, SyscallError } from "../errno.ts";
import type { Kernel } from "../kernel.ts";
import { readPath } from "../mm/user-strings.ts";
import { ioCallerOf } from "../process/io-caller.ts";
import type { Process } from "../process/process.ts";
import { readI64 } from "../util/le-bytes.ts";
import type { SyscallArgs } from "./args.ts";
import { Sys } from "./numbers.ts";
import { byteStringToBytes } from "../util/byte-string.ts";


/** The directory a *at call starts from: null for AT_FDCWD, else the fd's open file. */
function directory(process: Process, dirfd: number): OpenFile | null {
  return dirfd === AT_FDCWD ? null : process.files.get(dirfd);
}

async function path(process: Process, args: SyscallArgs, index: number, flags = 0): Promise<string> {
  return readPath(process.space, args.unsigned(index), (flags & AT_EMPTY_PATH) !== 0);
}

async function openAt(kernel: Kernel, process: Process, dirfd: number, args: SyscallArgs, pathIndex: number, flags: number, mode: number): Promise<number> {
  const name = await path(process, args, pathIndex);
  const file = await kernel.vfs.open(process.fs, directory(process, dirfd), name, flags, mode, ioCallerOf(process));
  return process.files.install(file, (flags & O_CLOEXEC) !== 0);
}

async function statAt(kernel: Kernel, process: Process, dirfd: number, args: SyscallArgs, pathIndex: number, bufferIndex: number, flags: number): Promise<number> {
  const name = await path(process, args, pathIndex, flags);
  const stat = kernel.vfs.stat(process.fs, directory(process, dirfd), name, flags);
  await process.space.write(args.unsigned(bufferIndex), encodeStat(stat));
  return 0;
}

async function readlinkAt(kernel: Kernel, process: Process, dirfd: number, args: SyscallArgs, pathIndex: number): Promise<number> {
  const name = await path(process, args, pathIndex);
  const capacity = args.long(pathIndex + 2);
  if (capacity <= 0) throw new SyscallError(Errno.EINVAL, "bad buffer size");
  const target = byteStringToBytes(kernel.vfs.readlink(process.fs, directory(process, dirfd), name)).subarray(0, capacity);
  await process.space.write(args.unsigned(pathIndex + 1), target);
  return target.length;
}

async function readTimes(process: Process, address: number): Promise<readonly [Timespec, Timespec] | null> {
  if (address === 0) return null;
  const bytes = await process.space.read(address, 32);
  const times: Timespec[] = [0, 16].map((offset) => ({ sec: readI64(bytes, offset), nsec: readI64(bytes, offset + 8) }));
  for (const time of times) {
    if (time.nsec !== UTIME_NOW && time.nsec !== UTIME_OMIT && (time.nsec < 0 || time.nsec >= 1_000_000_000)) {
      throw new SyscallError(Errno.EINVAL, "bad timespec");
    }
  }
  const [atime, mtime] = times;
  if (atime === undefined || mtime === undefined) throw new SyscallError(Errno.EFAULT);
  return [atime, mtime];
}

async function getcwd(kernel: Kernel, process: Process, args: SyscallArgs): Promise<number> {
  const cwd = byteStringToBytes(`${kernel.vfs.getcwd(process.fs)}\0`);
  if (args.unsigned(1) < cwd.length) throw new SyscallError(Errno.ERANGE, "buffer too small");
  await process.space.write(args.unsigned(0), cwd);
  return cwd.length;
}

export function registerPathSyscalls(kernel: Kernel): void {
  const table = kernel.syscalls;
  const vfs = kernel.vfs;
  table.register(Sys.open, (process, args) => openAt(kernel, process, AT_FDCWD, args, 0, args.int(1), args.u32(2)));
  table.register(Sys.creat, (process, args) => openAt(kernel, process, AT_FDCWD, args, 0, O_CREAT | O_WRONLY | O_TRUNC, args.u32(1)));
  table.register(Sys.openat, (process, args) => openAt(kernel, process, args.int(0), args, 1, args.int(2), args.u32(3)));
  table.register(Sys.stat, (process, args) => statAt(kernel, process, AT_FDCWD, args, 0, 1, 0));
  table.register(Sys.lstat, (process, args) => statAt(kernel, process, AT_FDCWD, args, 0, 1, AT_SYMLINK_NOFOLLOW));
  table.register(Sys.newfstatat, (process, args) => statAt(kernel, process, args.int(0), args, 1, 2, args.int(3)));
  table.register(Sys.statx, async (process, args) => {
    const name = await path(process, args, 1, args.int(2));
    const stat = vfs.stat(process.fs, directory(process, args.int(0)), name, args.int(2) & (AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW));
    await process.space.write(args.unsigned(4), encodeStatx(stat));
    return 0;
  });
  table.register(Sys.access, async (process, args) => {
    vfs.access(process.fs, null, await path(process, args, 0), args.int(1));
    return 0;
  });
  for (const number of [Sys.faccessat, Sys.faccessat2]) {
    table.register(number, async (process, args) => {
      const flags = number === Sys.faccessat2 ? args.int(3) : 0;
      vfs.access(process.fs, directory(process, args.int(0)), await path(process, args, 1, flags), args.int(2), flags);
      return 0;
    });
  }
  table.register(Sys.mkdir, async (process, args) => {
    vfs.mkdir(process.fs, null, await path(process, args, 0), args.u32(1));
    return 0;
  });
  table.register(Sys.mkdirat, async (process, args) => {
    vfs.mkdir(process.fs, directory(process, args.int(0)), await path(process, args, 1), args.u32(2));
    return 0;
  });
  table.register(Sys.mknodat, async (process, args) => {
    vfs.mknod(process.fs, directory(process, args.int(0)), await path(process, args, 1), args.u32(2), args.u32(3));
    return 0;
  });
  table.register(Sys.unlink, async (process, args) => {
    vfs.unlink(process.fs, null, await path(process, args, 0));
    return 0;
  });
  table.register(Sys.rmdir, async (process, args) => {
    vfs.unlink(process.fs, null, await path(process, args, 0), AT_REMOVEDIR);
    return 0;
  });
  table.register(Sys.unlinkat, async (process, args) => {
    vfs.unlink(process.fs, directory(process, args.int(0)), await path(process, args, 1), args.int(2));
    return 0;
  });
  table.register(Sys.rename, async (process, args) => {
    vfs.rename(process.fs, null, await path(process, args, 0), null, await path(process, args, 1));
    return 0;
  });
  for (const number of [Sys.renameat, Sys.renameat2]) {
    table.register(number, async (process, args) => {
      const from = await path(process, args, 1);
      const to = await path(process, args, 3);
      vfs.rename(process.fs, directory(process, args.int(0)), from, directory(process, args.int(2)), to, number === Sys.renameat2 ? args.int(4) : 0);
      return 0;
    });
  }
  table.register(Sys.symlink, async (process, args) => {
    vfs.symlink(process.fs, await path(process, args, 0), null, await path(process, args, 1));
    return 0;
  });
  table.register(Sys.symlinkat, async (process, args) => {
    vfs.symlink(process.fs, await path(process, args, 0), directory(process, args.int(1)), await path(process, args, 2));
    return 0;
  });
  table.register(Sys.readlink, (process, args) => readlinkAt(kernel, process, AT_FDCWD, args, 0));
  table.register(Sys.readlinkat, (process, args) => readlinkAt(kernel, process, args.int(0), args, 1));
  table.register(Sys.link, async (process, args) => {
    vfs.link(process.fs, null, await path(process, args, 0), null, await path(process, args, 1));
    return 0;
  });
  table.register(Sys.linkat, async (process, args) => {
    const from = await path(process, args, 1, args.int(4));
    vfs.link(process.fs, directory(process, args.int(0)), from, directory(process, args.int(2)), await path(process, args, 3), args.int(4));
    return 0;
  });
  table.register(Sys.chdir, async (process, args) => {
    vfs.chdir(process.fs, null, await path(process, args, 0));
    return 0;
  });
  table.register(Sys.fchdir, (process, args) => {
    vfs.chdir(process.fs, process.files.get(args.int(0)), "");
    return 0;
  });
  table.register(Sys.getcwd, (process, args) => getcwd(kernel, process, args));
  table.register(Sys.chmod, async (process, args) => {
    vfs.chmod(process.fs, null, await path(process, args, 0), args.u32(1));
    return 0;
  });
  table.register(Sys.fchmod, (process, args) => {
    vfs.chmod(process.fs, process.files.get(args.int(0)), "", args.u32(1), AT_EMPTY_PATH);
    return 0;
  });
  table.register(Sys.fchmodat, async (process, args) => {
    vfs.chmod(process.fs, directory(process, args.int(0)), await path(process, args, 1), args.u32(2));
    return 0;
  });
  table.register(Sys.chown, async (process, args) => {
    vfs.chown(process.fs, null, await path(process, args, 0), args.int(1), args.int(2));
    return 0;
  });
  table.register(Sys.lchown, async (process, args) => {
    vfs.chown(process.fs, null, await path(process, args, 0), args.int(1), args.int(2), AT_SYMLINK_NOFOLLOW);
    return 0;
  });
  table.register(Sys.fchown, (process, args) => {
    vfs.chown(process.fs, process.files.get(args.int(0)), "", args.int(1), args.int(2), AT_EMPTY_PATH);
    return 0;
  });
  table.register(Sys.fchownat, async (process, args) => {
    const flags = args.int(4);
    vfs.chown(process.fs, directory(process, args.int(0)), await path(process, args, 1, flags), args.int(2), args.int(3), flags);
    return 0;
  });
  table.register(Sys.utimensat, async (process, args) => {
    const flags = args.int(3);
    const name = args.unsigned(1) === 0 ? "" : await path(process, args, 1, flags);
    const emptyFlags = args.unsigned(1) === 0 ? flags | AT_EMPTY_PATH : flags;
    vfs.utimens(process.fs, directory(process, args.int(0)), name, await readTimes(process, args.unsigned(2)), emptyFlags);
    return 0;
  });
  table.register(Sys.truncate, async (process, args) => {
    vfs.truncate(process.fs, null, await path(process, args, 0), args.long(1));
    return 0;
  });
  table.register(Sys.statfs, async (process, args) => {
    await process.space.write(args.unsigned(1), encodeStatfs(vfs.statfs(process.fs, null, await path(process, args, 0))));
    return 0;
  });
  table.register(Sys.fstatfs, async (process, args) => {
    await process.space.write(args.unsigned(1), encodeStatfs(vfs.statfs(process.fs, process.files.get(args.int(0)), "", AT_EMPTY_PATH)));
    return 0;
  });
}
