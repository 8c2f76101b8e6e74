import { describe, expect, it } from "vitest";
import { Errno, sysError } from "../src/errno.ts";
import { Gpr, resultHalves, SyscallArgs } from "../src/syscall/args.ts";
import { REGISTERS_REPLACED, SyscallTable } from "../src/syscall/dispatcher.ts";
import { Sys } from "../src/syscall/numbers.ts";

function table() {
  const log: string[] = [];
  const syscalls = new SyscallTable<{ pid: number }>((message) => log.push(message));
  return { log, syscalls };
}

describe("SyscallArgs", () => {
  it("reads RDI, RSI, RDX, R10, R8, R9 in order with C types", () => {
    const low = new Int32Array(16);
    const high = new Int32Array(16);
    low[Gpr.rdi] = -100; high[Gpr.rdi] = -1; // AT_FDCWD
    low[Gpr.rsi] = 0x1000; high[Gpr.rsi] = 0x7fff; // a user pointer
    low[Gpr.rdx] = -1; high[Gpr.rdx] = -1; // (size_t)-1
    low[Gpr.r10] = 0x8000_0000 | 0; // a flag word with the top bit
    low[Gpr.r8] = 5; high[Gpr.r8] = 123; // garbage in the high half of an int
    low[Gpr.rcx] = 99; // RCX is not an argument register
    const args = SyscallArgs.fromRegisters(low, high);
    expect(args.int(0)).toBe(-100);
    expect(args.long(0)).toBe(-100);
    expect(args.unsigned(1)).toBe(0x7fff_0000_1000);
    expect(args.long(2)).toBe(-1);
    expect(args.unsigned(2)).toBe(Number.POSITIVE_INFINITY);
    expect(args.u32(3)).toBe(0x8000_0000);
    expect(args.int(4)).toBe(5);
    expect(args.int(5)).toBe(0);
  });

  it("round-trips results into RAX halves", () => {
    expect(resultHalves(-Errno.ENOENT)).toEqual({ low: -2, high: -1 });
    expect(resultHalves(0x7fff_0000_1000)).toEqual({ low: 0x1000, high: 0x7fff });
    expect(SyscallArgs.of(-9, 0x1_2345_6789).long(1)).toBe(0x1_2345_6789);
  });
});

describe("SyscallTable", () => {
  it("runs synchronous handlers without a promise", () => {
    const { syscalls } = table();
    syscalls.register(Sys.getpid, (caller) => caller.pid);
    expect(syscalls.dispatch({ pid: 7 }, Sys.getpid, SyscallArgs.of())).toBe(7);
  });

  it("turns thrown errnos into -errno, sync and async", async () => {
    const { syscalls } = table();
    syscalls.register(Sys.close, () => { throw sysError(Errno.EBADF); });
    syscalls.register(Sys.read, () => Promise.reject(sysError(Errno.EINTR)));
    syscalls.register(Sys.write, async () => Promise.resolve(3));
    syscalls.register(Sys.openat, () => { throw Object.assign(new Error("ENOENT"), { errno: 2 }); });
    expect(syscalls.dispatch({ pid: 1 }, Sys.close, SyscallArgs.of(9))).toBe(-Errno.EBADF);
    expect(await syscalls.dispatch({ pid: 1 }, Sys.read, SyscallArgs.of())).toBe(-Errno.EINTR);
    expect(await syscalls.dispatch({ pid: 1 }, Sys.write, SyscallArgs.of())).toBe(3);
    expect(syscalls.dispatch({ pid: 1 }, Sys.openat, SyscallArgs.of())).toBe(-Errno.ENOENT);
  });

  it("passes REGISTERS_REPLACED through for sigreturn and execve", async () => {
    const { syscalls } = table();
    syscalls.register(Sys.rt_sigreturn, () => REGISTERS_REPLACED);
    syscalls.register(Sys.execve, () => Promise.resolve(REGISTERS_REPLACED));
    expect(syscalls.dispatch({ pid: 1 }, Sys.rt_sigreturn, SyscallArgs.of())).toBe(REGISTERS_REPLACED);
    expect(await syscalls.dispatch({ pid: 1 }, Sys.execve, SyscallArgs.of())).toBe(REGISTERS_REPLACED);
  });

  it("returns ENOSYS for unknown numbers and logs each number once", () => {
    const { log, syscalls } = table();
    expect(syscalls.dispatch({ pid: 1 }, 999, SyscallArgs.of())).toBe(-Errno.ENOSYS);
    expect(syscalls.dispatch({ pid: 1 }, 999, SyscallArgs.of())).toBe(-Errno.ENOSYS);
    expect(syscalls.dispatch({ pid: 1 }, Sys.rseq, SyscallArgs.of())).toBe(-Errno.ENOSYS);
    expect(log).toHaveLength(2);
    expect(log[1]).toContain("rseq");
  });

  it("survives a kernel bug in a handler with EIO and a log line", async () => {
    const { log, syscalls } = table();
    syscalls.register(Sys.uname, () => { throw new TypeError("oops"); });
    syscalls.register(Sys.getppid, () => Promise.reject(new Error("async oops")));
    expect(syscalls.dispatch({ pid: 1 }, Sys.uname, SyscallArgs.of())).toBe(-Errno.EIO);
    expect(await syscalls.dispatch({ pid: 1 }, Sys.getppid, SyscallArgs.of())).toBe(-Errno.EIO);
    expect(log.join("\n")).toContain("kernel bug in syscall uname");
    expect(() => { syscalls.register(Sys.uname, () => 0); }).toThrow("twice");
  });
});
