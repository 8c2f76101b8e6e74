import { beforeAll, describe, expect, it } from "vitest";
import { Errno } from "../src/errno.ts";
import { Signal } from "../src/signal/signals.ts";
import { Sys } from "../src/syscall/numbers.ts";
import { kernelCases, type UserMachine } from "./support/board.ts";
import { encode, loadPrograms, runInit, user } from "./support/scripted-kernel.ts";
import { result, store, syscall, type Step } from "./support/user-script.ts";

const AT_FDCWD = -100;
const O_RDWR = 2;
const O_CREAT = 0o100;
const O_DIRECTORY = 0o200000;
const SCRATCH = 0x7fff_ffc0_0000;
const BUFFER = SCRATCH + 0x4000;

interface Call {
  readonly name: string;
  /** Strings to place in scratch memory first (address -> NUL-terminated text). */
  readonly strings?: Record<number, string>;
  readonly call: [number, ...number[]];
  /** Reads something from user memory after the call, recorded with the result. */
  readonly inspect?: (u: UserMachine) => number | string;
}

const path = (index: number): number => SCRATCH + index * 256;

/** Runs `calls` in order and records "name = result" (plus inspections). */
function sequence(calls: readonly Call[], record: string[]): Map<number, Step> {
  const steps = new Map<number, Step>();
  calls.forEach((entry, index) => {
    steps.set(0x401000 + index * 2, (u) => {
      const previous = calls[index - 1];
      if (previous !== undefined) record.push(`${previous.name} = ${String(result(u.context))}${previous.inspect === undefined ? "" : ` ${String(previous.inspect(u))}`}`);
      for (const [address, text] of Object.entries(entry.strings ?? {})) {
        const fault = store(u, Number(address), encode(`${text}\0`));
        if (fault !== undefined) {
          record.pop();
          return fault;
        }
      }
      return syscall(u, ...entry.call);
    });
  });
  return steps;
}

const text = (u: UserMachine, address: number, length: number): string =>
  String.fromCharCode(...Array.from({ length }, (_, index) => u.load(address + index) ?? 63));

describe("syscalls against svc-fs and bad input (scripted user mode)", () => {
  const record: string[] = [];
  kernelCases({
    "file, path, memory, signal and process calls give Linux's results and errnos": async () => {
      const calls: Call[] = [
        { name: "openat create", strings: { [path(0)]: "/f" }, call: [Sys.openat, AT_FDCWD, path(0), O_CREAT | O_RDWR, 0o644] },
        { name: "write", strings: { [BUFFER]: "hello" }, call: [Sys.write, 3, BUFFER, 5] },
        { name: "lseek", call: [Sys.lseek, 3, 0, 0] },
        { name: "read", call: [Sys.read, 3, BUFFER + 100, 100], inspect: (u) => text(u, BUFFER + 100, 5) },
        { name: "fstat", call: [Sys.fstat, 3, BUFFER + 200], inspect: (u) => u.load(BUFFER + 200 + 48) ?? -1 },
        { name: "pread64", call: [Sys.pread64, 3, BUFFER + 300, 2, 3], inspect: (u) => text(u, BUFFER + 300, 2) },
        { name: "mkdirat", strings: { [path(1)]: "/d" }, call: [Sys.mkdirat, AT_FDCWD, path(1), 0o755] },
        { name: "renameat", strings: { [path(2)]: "/d/g" }, call: [Sys.renameat, AT_FDCWD, path(0), AT_FDCWD, path(2)] },
        { name: "openat gone", call: [Sys.openat, AT_FDCWD, path(0), O_RDWR, 0] },
        { name: "symlinkat", strings: { [path(3)]: "/link" }, call: [Sys.symlinkat, path(2), AT_FDCWD, path(3)] },
        { name: "readlinkat", call: [Sys.readlinkat, AT_FDCWD, path(3), BUFFER + 400, 100], inspect: (u) => text(u, BUFFER + 400, 4) },
        { name: "chdir", call: [Sys.chdir, path(1)] },
        { name: "getcwd", call: [Sys.getcwd, BUFFER + 500, 100], inspect: (u) => text(u, BUFFER + 500, 2) },
        { name: "getcwd small", call: [Sys.getcwd, BUFFER + 500, 1] },
        { name: "unlinkat", strings: { [path(4)]: "g" }, call: [Sys.unlinkat, AT_FDCWD, path(4), 0] },
        { name: "close", call: [Sys.close, 3] },
        { name: "close again", call: [Sys.close, 3] },
        { name: "read bad fd", call: [Sys.read, 99, BUFFER, 1] },
        { name: "openat bad pointer", call: [Sys.openat, AT_FDCWD, 0x10, 0, 0] },
        { name: "openat long path", strings: { [path(8)]: "a".repeat(5000) }, call: [Sys.openat, AT_FDCWD, path(8), 0, 0] },
        { name: "openat empty path", strings: { [path(5)]: "" }, call: [Sys.openat, AT_FDCWD, path(5), 0, 0] },
        { name: "mmap zero length", call: [Sys.mmap, 0, 0, 3, 0x22, -1, 0] },
        { name: "mmap no type", call: [Sys.mmap, 0, 4096, 3, 0x20, -1, 0] },
        { name: "mmap bad fd", call: [Sys.mmap, 0, 4096, 1, 0x2, 77, 0] },
        { name: "munmap unaligned", call: [Sys.munmap, 0x1001, 4096] },
        { name: "mprotect unmapped", call: [Sys.mprotect, 0x1000_0000, 4096, 1] },
        { name: "pipe2", call: [Sys.pipe2, BUFFER + 600, 0], inspect: (u) => `${String(u.load(BUFFER + 600))},${String(u.load(BUFFER + 604))}` },
        { name: "lseek pipe", call: [Sys.lseek, 3, 0, 0] },
        { name: "pipe2 bad flags", call: [Sys.pipe2, BUFFER + 600, 0x1] },
        { name: "sigaction SIGKILL", call: [Sys.rt_sigaction, Signal.SIGKILL, BUFFER + 700, 0, 8] },
        { name: "sigaction setsize", call: [Sys.rt_sigaction, Signal.SIGINT, 0, BUFFER + 700, 4] },
        { name: "sigprocmask how", call: [Sys.rt_sigprocmask, 9, BUFFER + 700, 0, 8] },
        { name: "kill nobody", call: [Sys.kill, 99_999, 0] },
        { name: "kill bad signal", call: [Sys.kill, 1, 99] },
        { name: "wait4 no children", call: [Sys.wait4, -1, 0, 0, 0] },
        { name: "execve missing", strings: { [path(6)]: "/nonexistent" }, call: [Sys.execve, path(6), 0, 0] },
        { name: "openat dir", strings: { [path(7)]: "/" }, call: [Sys.openat, AT_FDCWD, path(7), O_DIRECTORY, 0] },
        { name: "getdents64", call: [Sys.getdents64, 5, BUFFER + 800, 1024], inspect: (u) => ((u.load(BUFFER + 800 + 16) ?? 0) > 0 ? "records" : "none") },
        { name: "unknown syscall", call: [500] },
        { name: "uname", call: [Sys.uname, BUFFER + 1200], inspect: (u) => text(u, BUFFER + 1200, 5) },
        { name: "dup2", call: [Sys.dup2, 1, 50] },
        { name: "fcntl setfd", call: [Sys.fcntl, 50, 2, 1] },
        { name: "fcntl getfd", call: [Sys.fcntl, 50, 1] },
        { name: "clock_gettime bad clock", call: [Sys.clock_gettime, 99, BUFFER] },
        { name: "arch_prctl set fs", call: [Sys.arch_prctl, 0x1002, 0x1234_000] },
        { name: "arch_prctl bad code", call: [Sys.arch_prctl, 0x9999, 0] },
        { name: "mknodat fifo", strings: { [path(9)]: "/fifo" }, call: [Sys.mknodat, AT_FDCWD, path(9), 0o10644, 0] },
        { name: "open fifo", call: [Sys.openat, AT_FDCWD, path(9), O_RDWR, 0] },
        { name: "write fifo", strings: { [BUFFER + 1300]: "z" }, call: [Sys.write, 6, BUFFER + 1300, 1] },
        { name: "read fifo", call: [Sys.read, 6, BUFFER + 1400, 10], inspect: (u) => text(u, BUFFER + 1400, 1) },
        { name: "done", call: [Sys.exit_group, 0] },
      ];
      loadPrograms(sequence(calls, record));
      expect(await runInit("/bin/init", ["init"])).toBe(0);
      expect(record).toEqual([
        "openat create = 3",
        "write = 5",
        "lseek = 0",
        "read = 5 hello",
        "fstat = 0 5",
        "pread64 = 2 lo",
        "mkdirat = 0",
        "renameat = 0",
        `openat gone = ${String(-Errno.ENOENT)}`,
        "symlinkat = 0",
        "readlinkat = 4 /d/g",
        "chdir = 0",
        "getcwd = 3 /d",
        `getcwd small = ${String(-Errno.ERANGE)}`,
        "unlinkat = 0",
        "close = 0",
        `close again = ${String(-Errno.EBADF)}`,
        `read bad fd = ${String(-Errno.EBADF)}`,
        `openat bad pointer = ${String(-Errno.EFAULT)}`,
        `openat long path = ${String(-Errno.ENAMETOOLONG)}`,
        `openat empty path = ${String(-Errno.ENOENT)}`,
        `mmap zero length = ${String(-Errno.EINVAL)}`,
        `mmap no type = ${String(-Errno.EINVAL)}`,
        `mmap bad fd = ${String(-Errno.EBADF)}`,
        `munmap unaligned = ${String(-Errno.EINVAL)}`,
        `mprotect unmapped = ${String(-Errno.ENOMEM)}`,
        "pipe2 = 0 3,4",
        `lseek pipe = ${String(-Errno.ESPIPE)}`,
        `pipe2 bad flags = ${String(-Errno.EINVAL)}`,
        `sigaction SIGKILL = ${String(-Errno.EINVAL)}`,
        `sigaction setsize = ${String(-Errno.EINVAL)}`,
        `sigprocmask how = ${String(-Errno.EINVAL)}`,
        `kill nobody = ${String(-Errno.ESRCH)}`,
        `kill bad signal = ${String(-Errno.EINVAL)}`,
        `wait4 no children = ${String(-Errno.ECHILD)}`,
        `execve missing = ${String(-Errno.ENOENT)}`,
        "openat dir = 5",
        "getdents64 = 120 records",
        `unknown syscall = ${String(-Errno.ENOSYS)}`,
        "uname = 0 Linux",
        "dup2 = 50",
        "fcntl setfd = 0",
        "fcntl getfd = 1",
        `clock_gettime bad clock = ${String(-Errno.EINVAL)}`,
        "arch_prctl set fs = 0",
        `arch_prctl bad code = ${String(-Errno.EINVAL)}`,
        "mknodat fifo = 0",
        "open fifo = 6",
        "write fifo = 1",
        "read fifo = 1 z",
      ]);
    },
  }, { beforeAll, it }, user);
});
