/**
 * Process syscalls: identity (getpid, getuid, ...), fork/vfork/clone, execve, exit and
 * exit_group, wait4, kill/tkill/tgkill, process groups and sessions, set_tid_address,
 * arch_prctl, prctl names, and the resource limits glibc asks for at startup.
 */

import { Errno, SyscallError } from "../errno.ts";
import type { Kernel } from "../kernel.ts";
import { readPath, readStringArray } from "../mm/user-strings.ts";
import { ARG_SIZE_LIMIT, STACK_SIZE } from "../process/program-loader.ts";
import type { Process } from "../process/process.ts";
import { WaitStatus } from "../process/wait-status.ts";
import { writeI64 } from "../util/le-bytes.ts";
import type { SyscallArgs } from "./args.ts";
import { REGISTERS_REPLACED } from "./dispatcher.ts";
import { Sys } from "./numbers.ts";
import { bytesToByteString, byteStringToBytes } from "../util/byte-string.ts";

const ArchPrctl = { SET_GS: 0x1001, SET_FS: 0x1002, GET_FS: 0x1003, GET_GS: 0x1004 } as const;
const Prctl = { SET_NAME: 15, GET_NAME: 16 } as const;
const Clone = { VM: 0x100, FS: 0x200, FILES: 0x400, SIGHAND: 0x800, VFORK: 0x4000, THREAD: 0x10000, SETTLS: 0x80000, PARENT_SETTID: 0x100000, CHILD_CLEARTID: 0x200000, CHILD_SETTID: 0x1000000 } as const;
const RLIM_INFINITY = -1;
const Rlimit = { STACK: 3, CORE: 4, NOFILE: 7 } as const;
const USER_SPACE_END = 0x8000_0000_0000;

async function forkProcess(kernel: Kernel, parent: Process, vfork: boolean): Promise<number> {
  const child = kernel.fork(parent);
  if (vfork) {
    child.vforkParentWaiting = true;
    await parent.events.waitUntil(() => !child.vforkParentWaiting);
  }
  return child.pid;
}

async function clone(kernel: Kernel, process: Process, args: SyscallArgs): Promise<number> {
  const flags = args.u32(0);
  if ((flags & Clone.THREAD) !== 0) throw new SyscallError(Errno.EINVAL, "threads are not supported");
  const stack = args.unsigned(1);
  const child = kernel.fork(process);
  if (stack !== 0) child.context.stackPointer = stack;
  if ((flags & Clone.SETTLS) !== 0) child.context.fsBase = args.unsigned(4);
  if ((flags & Clone.CHILD_CLEARTID) !== 0) child.clearChildTid = args.unsigned(3);
  if ((flags & Clone.PARENT_SETTID) !== 0) await writeInt(process, args.unsigned(2), child.pid);
  if ((flags & Clone.CHILD_SETTID) !== 0) await writeInt(child, args.unsigned(3), child.pid);
  if ((flags & Clone.VFORK) !== 0) {
    child.vforkParentWaiting = true;
    await process.events.waitUntil(() => !child.vforkParentWaiting);
  }
  return child.pid;
}

async function writeInt(process: Process, address: number, value: number): Promise<void> {
  const bytes = Uint8Array.of(value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff);
  await process.space.write(address, bytes);
}

async function execve(kernel: Kernel, process: Process, args: SyscallArgs): Promise<typeof REGISTERS_REPLACED> {
  const path = await readPath(process.space, args.unsigned(0));
  const argv = await readStringArray(process.space, args.unsigned(1), ARG_SIZE_LIMIT);
  const envp = await readStringArray(process.space, args.unsigned(2), ARG_SIZE_LIMIT);
  await kernel.exec(process, path, argv, envp);
  return REGISTERS_REPLACED;
}

async function wait4(kernel: Kernel, process: Process, args: SyscallArgs): Promise<number> {
  const statusAddress = args.unsigned(1);
  const options = args.u32(2);
  if ((options & ~(1 | 2 | 8 | 0x2000_0000 | 0x4000_0000 | 0x8000_0000)) !== 0) throw new SyscallError(Errno.EINVAL, "wait4 options");
  const result = await kernel.wait(process, args.int(0), options);
  if (statusAddress !== 0 && result.pid !== 0) await writeInt(process, statusAddress, result.status);
  if (args.unsigned(3) !== 0 && result.pid !== 0) await process.space.write(args.unsigned(3), new Uint8Array(144));
  return result.pid;
}

function setpgid(kernel: Kernel, process: Process, args: SyscallArgs): number {
  const pid = args.int(0) === 0 ? process.pid : args.int(0);
  const pgid = args.int(1) === 0 ? pid : args.int(1);
  if (pgid < 0) throw new SyscallError(Errno.EINVAL, "negative pgid");
  const target = kernel.table.get(pid);
  if (target === undefined || (target !== process && target.parent !== process)) throw new SyscallError(Errno.ESRCH);
  if (target.sid !== process.sid) throw new SyscallError(Errno.EPERM, "other session");
  if (target.pid === target.sid) throw new SyscallError(Errno.EPERM, "session leader");
  if (pgid !== target.pid && !kernel.table.all.some((other) => other.pgid === pgid && other.sid === process.sid)) {
    throw new SyscallError(Errno.EPERM, "no such group in the session");
  }
  target.pgid = pgid;
  return 0;
}

function setsid(kernel: Kernel, process: Process): number {
  if (kernel.table.all.some((other) => other.pgid === process.pid)) throw new SyscallError(Errno.EPERM, "already a group leader");
  process.sid = process.pid;
  process.pgid = process.pid;
  return process.pid;
}

function targetOf(kernel: Kernel, process: Process, pid: number): Process {
  const target = pid === 0 ? process : kernel.table.get(pid);
  if (target === undefined) throw new SyscallError(Errno.ESRCH);
  return target;
}

async function archPrctl(process: Process, args: SyscallArgs): Promise<number> {
  const address = args.unsigned(1);
  switch (args.int(0)) {
    case ArchPrctl.SET_FS:
      if (address >= USER_SPACE_END) throw new SyscallError(Errno.EPERM, "non-canonical FS base");
      process.context.fsBase = address;
      return 0;
    case ArchPrctl.SET_GS:
      if (address >= USER_SPACE_END) throw new SyscallError(Errno.EPERM, "non-canonical GS base");
      process.context.gsBase = address;
      return 0;
    case ArchPrctl.GET_FS:
    case ArchPrctl.GET_GS: {
      const bytes = new Uint8Array(8);
      writeI64(bytes, 0, args.int(0) === ArchPrctl.GET_FS ? process.context.fsBase : process.context.gsBase);
      await process.space.write(address, bytes);
      return 0;
    }
    default:
      throw new SyscallError(Errno.EINVAL, `arch_prctl code ${String(args.int(0))}`);
  }
}

async function prctl(process: Process, args: SyscallArgs): Promise<number> {
  switch (args.int(0)) {
    case Prctl.GET_NAME: {
      const name = new Uint8Array(16);
      name.set(byteStringToBytes(process.name).subarray(0, 15));
      await process.space.write(args.unsigned(1), name);
      return 0;
    }
    case Prctl.SET_NAME: {
      const bytes = await process.space.read(args.unsigned(1), 16);
      const end = bytes.indexOf(0);
      process.name = bytesToByteString(bytes.subarray(0, end < 0 ? 15 : Math.min(end, 15)));
      return 0;
    }
    default:
      throw new SyscallError(Errno.EINVAL, `prctl option ${String(args.int(0))}`);
  }
}

function limitOf(resource: number): [number, number] {
  if (resource === Rlimit.STACK) return [STACK_SIZE, RLIM_INFINITY];
  if (resource === Rlimit.NOFILE) return [1024, 4096];
  if (resource === Rlimit.CORE) return [0, RLIM_INFINITY];
  if (resource < 0 || resource > 15) throw new SyscallError(Errno.EINVAL, `resource ${String(resource)}`);
  return [RLIM_INFINITY, RLIM_INFINITY];
}

/** prlimit64/getrlimit: reports the limits Asterism enforces (stack, open files) or "unlimited". */
async function reportLimit(process: Process, resource: number, oldAddress: number, newAddress: number): Promise<number> {
  const [soft, hard] = limitOf(resource);
  if (oldAddress !== 0) {
    const bytes = new Uint8Array(16);
    writeI64(bytes, 0, soft);
    writeI64(bytes, 8, hard);
    await process.space.write(oldAddress, bytes);
  }
  if (newAddress !== 0) await process.space.read(newAddress, 16);
  return 0;
}

export function registerProcessSyscalls(kernel: Kernel): void {
  const table = kernel.syscalls;
  table.register(Sys.getpid, (process) => process.pid);
  table.register(Sys.gettid, (process) => process.pid);
  table.register(Sys.getppid, (process) => process.parent?.pid ?? 0);
  table.register(Sys.getuid, (process) => process.credentials.uid);
  table.register(Sys.geteuid, (process) => process.credentials.euid);
  table.register(Sys.getgid, (process) => process.credentials.gid);
  table.register(Sys.getegid, (process) => process.credentials.egid);
  table.register(Sys.getpgrp, (process) => process.pgid);
  table.register(Sys.getpgid, (process, args) => targetOf(kernel, process, args.int(0)).pgid);
  table.register(Sys.getsid, (process, args) => targetOf(kernel, process, args.int(0)).sid);
  table.register(Sys.setpgid, (process, args) => setpgid(kernel, process, args));
  table.register(Sys.setsid, (process) => setsid(kernel, process));
  table.register(Sys.fork, (process) => forkProcess(kernel, process, false));
  table.register(Sys.vfork, (process) => forkProcess(kernel, process, true));
  table.register(Sys.clone, (process, args) => clone(kernel, process, args));
  table.register(Sys.execve, (process, args) => execve(kernel, process, args));
  table.register(Sys.exit, (process, args) => {
    kernel.exit(process, WaitStatus.exited(args.int(0)));
    return 0;
  });
  table.register(Sys.exit_group, (process, args) => {
    kernel.exit(process, WaitStatus.exited(args.int(0)));
    return 0;
  });
  table.register(Sys.wait4, (process, args) => wait4(kernel, process, args));
  table.register(Sys.kill, (process, args) => {
    kernel.table.kill(process, args.int(0), args.int(1));
    return 0;
  });
  table.register(Sys.tkill, (process, args) => {
    kernel.table.kill(process, Math.max(1, args.int(0)), args.int(1));
    return 0;
  });
  table.register(Sys.tgkill, (process, args) => {
    kernel.table.kill(process, Math.max(1, args.int(1)), args.int(2));
    return 0;
  });
  table.register(Sys.set_tid_address, (process, args) => {
    process.clearChildTid = args.unsigned(0);
    return process.pid;
  });
  table.register(Sys.set_robust_list, () => 0);
  // Deliberately unsupported, without the unknown-syscall log line: glibc probes both at
  // startup (rseq registration, clone3 in posix_spawn) and falls back on ENOSYS.
  for (const number of [Sys.rseq, Sys.clone3]) {
    table.register(number, () => {
      throw new SyscallError(Errno.ENOSYS);
    });
  }
  table.register(Sys.arch_prctl, (process, args) => archPrctl(process, args));
  table.register(Sys.prctl, (process, args) => prctl(process, args));
  table.register(Sys.prlimit64, (process, args) => {
    targetOf(kernel, process, args.int(0));
    return reportLimit(process, args.int(1), args.unsigned(3), args.unsigned(2));
  });
  table.register(Sys.getrlimit, (process, args) => reportLimit(process, args.int(0), args.unsigned(1), 0));
  table.register(Sys.setrlimit, () => 0);
  table.register(Sys.umask, (process, args) => process.fs.swapUmask(args.u32(0)));
  table.register(Sys.sched_yield, () => 0);
  for (const id of [Sys.setuid, Sys.setgid, Sys.setreuid, Sys.setregid, Sys.setresuid, Sys.setresgid, Sys.setgroups]) {
    table.register(id, (process) => {
      if (process.credentials.euid !== 0) throw new SyscallError(Errno.EPERM);
      return 0;
    });
  }
  table.register(Sys.getgroups, () => 0);
}
