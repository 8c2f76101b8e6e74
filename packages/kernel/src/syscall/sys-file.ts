/**
 * Descriptor I/O syscalls: read/write and their vector and positional forms, lseek, close,
 * the dup family, fcntl, pipe/pipe2, getdents64, ftruncate, fsync and ioctl. Data crosses
 * between user memory and svc-fs's open files only through the address space's checked
 * copies, so a bad buffer is EFAULT.
 */

import { encodeStat, O_CLOEXEC, O_NONBLOCK, type OpenFile } from "@asterism/svc-fs";
import { Errno, SyscallError } from "../errno.ts";
import { openPipe } from "../ipc/pipe-file.ts";
import type { Kernel } from "../kernel.ts";
import { ioCallerOf } from "../process/io-caller.ts";
import type { Process } from "../process/process.ts";
import { readI64, readU64, writeI64, writeU32 } from "../util/le-bytes.ts";
import type { SyscallArgs } from "./args.ts";
import { Sys } from "./numbers.ts";

const Fcntl = { DUPFD: 0, GETFD: 1, SETFD: 2, GETFL: 3, SETFL: 4, GETLK: 5, SETLK: 6, SETLKW: 7, DUPFD_CLOEXEC: 1030 } as const;
const FD_CLOEXEC = 1;
const IOV_MAX = 1024;
const MAX_IO = 0x7fff_f000;
const SENDFILE_CHUNK = 1 << 20;

/** A syscall's I/O length: clamped like Linux (MAX_RW_COUNT), EINVAL when negative. */
function ioLength(args: SyscallArgs, index: number): number {
  const length = args.long(index);
  if (length < 0) throw new SyscallError(Errno.EINVAL, "negative length");
  return Math.min(length, MAX_IO);
}

async function readInto(process: Process, file: OpenFile, address: number, length: number): Promise<number> {
  if (length === 0) return 0;
  const data = await file.read(length, ioCallerOf(process));
  await process.space.write(address, data);
  return data.length;
}

async function writeFrom(process: Process, file: OpenFile, address: number, length: number): Promise<number> {
  const data = await process.space.read(address, length);
  return file.write(data, ioCallerOf(process));
}

async function readIovecs(process: Process, address: number, count: number): Promise<{ base: number; length: number }[]> {
  if (count < 0 || count > IOV_MAX) throw new SyscallError(Errno.EINVAL, "bad iovec count");
  const bytes = await process.space.read(address, count * 16);
  const vectors: { base: number; length: number }[] = [];
  for (let index = 0; index < count; index++) {
    const length = readI64(bytes, index * 16 + 8);
    if (length < 0) throw new SyscallError(Errno.EINVAL, "negative iovec length");
    vectors.push({ base: readU64(bytes, index * 16), length });
  }
  return vectors;
}

async function readv(process: Process, args: SyscallArgs): Promise<number> {
  const file = process.files.get(args.int(0));
  let total = 0;
  for (const vector of await readIovecs(process, args.unsigned(1), args.int(2))) {
    if (vector.length === 0) continue;
    const count = await readInto(process, file, vector.base, vector.length);
    total += count;
    if (count < vector.length) break;
  }
  return total;
}

async function writev(process: Process, args: SyscallArgs): Promise<number> {
  const file = process.files.get(args.int(0));
  const vectors = await readIovecs(process, args.unsigned(1), args.int(2));
  const parts: Uint8Array[] = [];
  for (const vector of vectors) if (vector.length > 0) parts.push(await process.space.read(vector.base, vector.length));
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const joined = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return total === 0 ? 0 : file.write(joined, ioCallerOf(process));
}

function fcntl(process: Process, args: SyscallArgs): number {
  const fd = args.int(0);
  const file = process.files.get(fd);
  switch (args.int(1)) {
    case Fcntl.DUPFD:
    case Fcntl.DUPFD_CLOEXEC:
      if (args.int(2) < 0) throw new SyscallError(Errno.EINVAL, "negative fd");
      return process.files.install(file.acquire(), args.int(1) === Fcntl.DUPFD_CLOEXEC, args.int(2));
    case Fcntl.GETFD:
      return process.files.getCloseOnExec(fd) ? FD_CLOEXEC : 0;
    case Fcntl.SETFD:
      process.files.setCloseOnExec(fd, (args.int(2) & FD_CLOEXEC) !== 0);
      return 0;
    case Fcntl.GETFL:
      return file.flags;
    case Fcntl.SETFL:
      file.setStatusFlags(args.int(2));
      return 0;
    case Fcntl.GETLK:
    case Fcntl.SETLK:
    case Fcntl.SETLKW:
      return 0;
    default:
      throw new SyscallError(Errno.EINVAL, `fcntl command ${String(args.int(1))}`);
  }
}

async function pipe2(kernel: Kernel, process: Process, address: number, flags: number): Promise<number> {
  if ((flags & ~(O_CLOEXEC | O_NONBLOCK)) !== 0) throw new SyscallError(Errno.EINVAL, "pipe2 flags");
  await process.space.read(address, 8);
  const [readEnd, writeEnd] = openPipe(kernel.vfs, process.fs, flags & O_NONBLOCK, kernel.pipes);
  const cloexec = (flags & O_CLOEXEC) !== 0;
  const readFd = process.files.install(readEnd, cloexec);
  let writeFd: number;
  try {
    writeFd = process.files.install(writeEnd, cloexec);
  } catch (error) {
    process.files.close(readFd);
    throw error;
  }
  const bytes = new Uint8Array(8);
  writeU32(bytes, 0, readFd);
  writeU32(bytes, 4, writeFd);
  await process.space.write(address, bytes);
  return 0;
}

/** sendfile(out, in, offset*, count): one chunk from `in` (at *offset if given) to `out`. */
async function sendfile(process: Process, args: SyscallArgs): Promise<number> {
  const output = process.files.get(args.int(0));
  const input = process.files.get(args.int(1));
  const offsetAddress = args.unsigned(2);
  const count = Math.min(ioLength(args, 3), SENDFILE_CHUNK);
  const caller = ioCallerOf(process);
  if (offsetAddress === 0) {
    const data = await input.read(count, caller);
    return data.length === 0 ? 0 : output.write(data, caller);
  }
  const offset = readI64(await process.space.read(offsetAddress, 8), 0);
  const data = await input.pread(offset, count, caller);
  const written = data.length === 0 ? 0 : await output.write(data, caller);
  const next = new Uint8Array(8);
  writeI64(next, 0, offset + written);
  await process.space.write(offsetAddress, next);
  return written;
}

/** Calls that only need a valid descriptor here (everything lives in RAM, locks are advisory). */
function existingFdNoop(process: Process, args: SyscallArgs): number {
  process.files.get(args.int(0));
  return 0;
}

export function registerFileSyscalls(kernel: Kernel): void {
  const table = kernel.syscalls;
  table.register(Sys.read, (process, args) => readInto(process, process.files.get(args.int(0)), args.unsigned(1), ioLength(args, 2)));
  table.register(Sys.write, (process, args) => writeFrom(process, process.files.get(args.int(0)), args.unsigned(1), ioLength(args, 2)));
  table.register(Sys.readv, (process, args) => readv(process, args));
  table.register(Sys.writev, (process, args) => writev(process, args));
  table.register(Sys.pread64, async (process, args) => {
    const data = await process.files.get(args.int(0)).pread(args.long(3), ioLength(args, 2), ioCallerOf(process));
    await process.space.write(args.unsigned(1), data);
    return data.length;
  });
  table.register(Sys.pwrite64, async (process, args) => {
    const data = await process.space.read(args.unsigned(1), ioLength(args, 2));
    return process.files.get(args.int(0)).pwrite(args.long(3), data, ioCallerOf(process));
  });
  table.register(Sys.sendfile, (process, args) => sendfile(process, args));
  table.register(Sys.lseek, (process, args) => process.files.get(args.int(0)).lseek(args.long(1), args.int(2)));
  table.register(Sys.close, (process, args) => {
    process.files.close(args.int(0));
    return 0;
  });
  table.register(Sys.dup, (process, args) => process.files.install(process.files.get(args.int(0)).acquire(), false));
  table.register(Sys.dup2, (process, args) => process.files.duplicateTo(args.int(0), args.int(1), false));
  table.register(Sys.dup3, (process, args) => {
    if (args.int(0) === args.int(1)) throw new SyscallError(Errno.EINVAL, "dup3 onto itself");
    if ((args.int(2) & ~O_CLOEXEC) !== 0) throw new SyscallError(Errno.EINVAL, "dup3 flags");
    return process.files.duplicateTo(args.int(0), args.int(1), (args.int(2) & O_CLOEXEC) !== 0);
  });
  table.register(Sys.fcntl, (process, args) => fcntl(process, args));
  table.register(Sys.pipe, (process, args) => pipe2(kernel, process, args.unsigned(0), 0));
  table.register(Sys.pipe2, (process, args) => pipe2(kernel, process, args.unsigned(0), args.int(1)));
  table.register(Sys.getdents64, async (process, args) => {
    const records = process.files.get(args.int(0)).getdents64(ioLength(args, 2));
    await process.space.write(args.unsigned(1), records);
    return records.length;
  });
  table.register(Sys.fstat, async (process, args) => {
    await process.space.write(args.unsigned(1), encodeStat(process.files.get(args.int(0)).stat()));
    return 0;
  });
  table.register(Sys.ftruncate, (process, args) => {
    process.files.get(args.int(0)).truncate(args.long(1));
    return 0;
  });
  for (const number of [Sys.fsync, Sys.fdatasync, Sys.flock, Sys.fadvise64]) table.register(number, existingFdNoop);
  // No socket can exist yet (svc-net is not wired in): socket calls on a descriptor say so.
  for (const number of [Sys.connect, Sys.accept, Sys.sendto, Sys.recvfrom, Sys.shutdown, Sys.bind, Sys.listen, Sys.getsockname, Sys.getpeername, Sys.setsockopt, Sys.getsockopt]) {
    table.register(number, (process, args) => {
      process.files.get(args.int(0));
      throw new SyscallError(Errno.ENOTSOCK);
    });
  }
}
