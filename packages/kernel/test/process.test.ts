import { beforeAll, describe, expect, it } from "vitest";
import { Errno } from "../src/errno.ts";
import { Signal } from "../src/signal/signals.ts";
import { Sys } from "../src/syscall/numbers.ts";
import { kernelCases, UserExit } from "./support/board.ts";
import { encode, output, programs, runInit, user } from "./support/scripted-kernel.ts";
import { getRegister, program, result, setRegister, store, syscall, type Step } from "./support/user-script.ts";

/** Step that writes argv[0] (found through the initial stack at RSP) to fd 1. */
const writeArgv0: Step = (u) => {
  const rsp = getRegister(u.context, 4);
  const argv0 = [0, 1, 2, 3, 4, 5, 6, 7].reduce((value, index) => value + (u.load(rsp + 8 + index) ?? 0) * 2 ** (8 * index), 0);
  let length = 0;
  while (u.load(argv0 + length) !== 0) length++;
  return syscall(u, Sys.write, 1, argv0, length);
};

describe("processes on the board (scripted user mode)", () => {
  kernelCases({
    "execs init with argv on the stack, writes, exits with a status": async () => {
      output.length = 0;
      programs.clear();
      for (const [address, step] of program(0x401000, writeArgv0, (u) => syscall(u, Sys.exit_group, 3))) programs.set(address, step);
      expect(await runInit("/bin/init", ["hello-init"])).toBe(3 << 8);
      expect(output.join("")).toBe("hello-init");
    },
    "fork, exit in the child, wait4 in the parent": async () => {
      output.length = 0;
      programs.clear();
      const statusAddress = 0x7fff_ffff_e000 - 64;
      let childPid = 0;
      for (const [address, step] of program(
        0x401000,
        (u) => syscall(u, Sys.fork),
        (u) => {
          if (result(u.context) === 0) return syscall(u, Sys.exit_group, 7);
          childPid = result(u.context);
          return syscall(u, Sys.wait4, -1, statusAddress, 0, 0);
        },
        (u) => {
          output.push(`waited ${String(result(u.context) === childPid)} status ${String(u.load(statusAddress + 1))}`);
          return syscall(u, Sys.wait4, -1, 0, 0, 0);
        },
        (u) => syscall(u, Sys.exit_group, result(u.context) === -Errno.ECHILD ? 0 : 1),
      )) programs.set(address, step);
      expect(await runInit("/bin/init", ["init"])).toBe(0);
      expect(output).toEqual(["waited true status 7"]);
    },
    "demand-paged mmap memory and EFAULT for bad buffers": async () => {
      output.length = 0;
      programs.clear();
      let mapped = 0;
      for (const [address, step] of program(
        0x401000,
        (u) => syscall(u, Sys.mmap, 0, 8192, 3, 0x22, -1, 0),
        (u) => {
          mapped = result(u.context);
          return syscall(u, Sys.getpid);
        },
        (u) => store(u, mapped + 4096, encode("paged")) ?? syscall(u, Sys.write, 1, mapped + 4096, 5),
        (u) => syscall(u, Sys.write, 1, 0x10, 5),
        (u) => {
          output.push(`efault ${String(result(u.context) === -Errno.EFAULT)}`);
          return syscall(u, Sys.munmap, mapped, 8192);
        },
        (u) => syscall(u, Sys.write, 1, mapped, 1),
        (u) => syscall(u, Sys.exit_group, result(u.context) === -Errno.EFAULT ? 0 : 1),
      )) programs.set(address, step);
      expect(await runInit("/bin/init", ["init"])).toBe(0);
      expect(output).toEqual(["paged", "efault true"]);
    },
    "execve: ENOEXEC for garbage, #! scripts run their interpreter": async () => {
      output.length = 0;
      programs.clear();
      const paths = 0x7fff_ffff_e000 - 512;
      for (const [address, step] of program(
        0x401000,
        (u) => store(u, paths, encode("/bin/garbage\0")) ?? syscall(u, Sys.execve, paths, 0, 0),
        (u) => {
          output.push(`garbage ${String(result(u.context))}`);
          return store(u, paths, encode("/bin/script\0")) ?? syscall(u, Sys.execve, paths, 0, 0);
        },
      )) programs.set(address, step);
      for (const [address, step] of program(0x402000, writeArgv0, (u) => syscall(u, Sys.exit_group, 0))) programs.set(address, step);
      expect(await runInit("/bin/init", ["init"])).toBe(0);
      expect(output).toEqual([`garbage ${String(-Errno.ENOEXEC)}`, "/bin/other"]);
    },
    "a NULL dereference kills the child with SIGSEGV, the parent sees it": async () => {
      output.length = 0;
      programs.clear();
      const statusAddress = 0x7fff_ffff_e000 - 64;
      for (const [address, step] of program(
        0x401000,
        (u) => syscall(u, Sys.fork),
        (u) => {
          if (result(u.context) === 0) return u.load(0) === undefined ? UserExit.Exception : syscall(u, Sys.exit_group, 9);
          return syscall(u, Sys.wait4, -1, statusAddress, 0, 0);
        },
        (u) => syscall(u, Sys.exit_group, (u.load(statusAddress) ?? 0) & 0x7f),
      )) programs.set(address, step);
      expect(await runInit("/bin/init", ["init"])).toBe(Signal.SIGSEGV << 8);
    },
    "signal handlers run on a frame and rt_sigreturn resumes the program": async () => {
      output.length = 0;
      programs.clear();
      const scratch = 0x7fff_ffff_e000 - 256;
      const handler = 0x401100;
      const restorer = 0x401200;
      const action = new Uint8Array(32);
      new DataView(action.buffer).setBigUint64(0, BigInt(handler), true);
      new DataView(action.buffer).setBigUint64(8, 0x0400_0004n, true);
      new DataView(action.buffer).setBigUint64(16, BigInt(restorer), true);
      for (const [address, step] of program(
        0x401000,
        (u) => store(u, scratch, action) ?? syscall(u, Sys.rt_sigaction, Signal.SIGUSR1, scratch, 0, 8),
        (u) => {
          setRegister(u.context, 12, 0x1234_5678_9abc);
          return syscall(u, Sys.getpid);
        },
        (u) => syscall(u, Sys.kill, result(u.context), Signal.SIGUSR1),
        (u) => {
          output.push(`resumed r12=${getRegister(u.context, 12).toString(16)} rax=${String(result(u.context))}`);
          return syscall(u, Sys.exit_group, 0);
        },
      )) programs.set(address, step);
      programs.set(handler, (u) => {
        const rsp = getRegister(u.context, 4);
        output.push(`handler sig=${String(getRegister(u.context, 7))} aligned=${String((rsp + 8) % 16 === 0)}`);
        setRegister(u.context, 12, 0);
        setRegister(u.context, 4, rsp + 8);
        u.context.rip = restorer;
        return UserExit.Syscall === UserExit.Syscall ? syscall(u, Sys.rt_sigreturn) : UserExit.Syscall;
      });
      expect(await runInit("/bin/init", ["init"])).toBe(0);
      expect(output).toEqual([`handler sig=${String(Signal.SIGUSR1)} aligned=true`, "resumed r12=123456789abc rax=0"]);
    },
    "SA_RESTART restarts a read interrupted by a handled signal": async () => {
      output.length = 0;
      programs.clear();
      const scratch = 0x7fff_ffff_e000 - 256;
      const fds = scratch + 64;
      const buffer = scratch + 128;
      const handler = 0x401100;
      const restorer = 0x401200;
      const action = new Uint8Array(32);
      new DataView(action.buffer).setBigUint64(0, BigInt(handler), true);
      new DataView(action.buffer).setBigUint64(8, 0x1400_0000n, true);
      new DataView(action.buffer).setBigUint64(16, BigInt(restorer), true);
      const isChild = (u: Parameters<Step>[0]): boolean => getRegister(u.context, 13) === 1;
      for (const [address, step] of program(
        0x401000,
        (u) => store(u, scratch, action) ?? syscall(u, Sys.rt_sigaction, Signal.SIGUSR1, scratch, 0, 8),
        (u) => syscall(u, Sys.pipe2, fds, 0),
        (u) => syscall(u, Sys.fork),
        (u) => {
          if (result(u.context) === 0) setRegister(u.context, 13, 1);
          return isChild(u) ? syscall(u, Sys.getppid) : syscall(u, Sys.read, u.load(fds) ?? -1, buffer, 10);
        },
        (u) => {
          if (isChild(u)) return syscall(u, Sys.kill, result(u.context), Signal.SIGUSR1);
          output.push(`read ${String(result(u.context))}`);
          return syscall(u, Sys.wait4, -1, 0, 0, 0);
        },
        (u) => (isChild(u) ? store(u, buffer + 32, encode("x")) ?? syscall(u, Sys.write, u.load(fds + 4) ?? -1, buffer + 32, 1) : syscall(u, Sys.exit_group, 0)),
        (u) => syscall(u, Sys.exit_group, 0),
      )) programs.set(address, step);
      programs.set(handler, (u) => {
        output.push("handler");
        setRegister(u.context, 4, getRegister(u.context, 4) + 8);
        u.context.rip = restorer;
        return syscall(u, Sys.rt_sigreturn);
      });
      expect(await runInit("/bin/init", ["init"])).toBe(0);
      expect(output).toEqual(["handler", "read 1"]);
    },
    "job control: SIGSTOP, WUNTRACED, SIGCONT, WCONTINUED, then exit": async () => {
      output.length = 0;
      programs.clear();
      const statusAddress = 0x7fff_ffff_e000 - 64;
      let child = 0;
      const status = (u: Parameters<Step>[0]): string => ((u.load(statusAddress) ?? 0) | ((u.load(statusAddress + 1) ?? 0) << 8)).toString(16);
      const isChild = (u: Parameters<Step>[0]): boolean => getRegister(u.context, 13) === 1;
      for (const [address, step] of program(
        0x401000,
        (u) => syscall(u, Sys.fork),
        (u) => {
          if (result(u.context) === 0) {
            setRegister(u.context, 13, 1);
            return syscall(u, Sys.getpid);
          }
          child = result(u.context);
          return syscall(u, Sys.wait4, -1, statusAddress, 2, 0);
        },
        (u) => {
          if (isChild(u)) return syscall(u, Sys.kill, result(u.context), Signal.SIGSTOP);
          output.push(`stopped ${status(u)}`);
          return syscall(u, Sys.kill, child, Signal.SIGCONT);
        },
        (u) => (isChild(u) ? syscall(u, Sys.exit_group, 5) : syscall(u, Sys.wait4, -1, statusAddress, 8, 0)),
        (u) => {
          output.push(`continued ${status(u)}`);
          return syscall(u, Sys.wait4, -1, statusAddress, 0, 0);
        },
        (u) => {
          output.push(`exited ${status(u)}`);
          return syscall(u, Sys.exit_group, 0);
        },
      )) programs.set(address, step);
      expect(await runInit("/bin/init", ["init"])).toBe(0);
      expect(output).toEqual(["stopped 137f", "continued ffff", "exited 500"]);
    },
    "a handler outside user space kills the process, not the kernel": async () => {
      output.length = 0;
      programs.clear();
      const scratch = 0x7fff_ffff_e000 - 256;
      const action = new Uint8Array(32);
      new DataView(action.buffer).setBigUint64(0, 1n << 60n, true);
      new DataView(action.buffer).setBigUint64(8, 0x0400_0000n, true);
      for (const [address, step] of program(
        0x401000,
        (u) => store(u, scratch, action) ?? syscall(u, Sys.rt_sigaction, Signal.SIGUSR2, scratch, 0, 8),
        (u) => syscall(u, Sys.kill, 1, Signal.SIGUSR2),
        (u) => syscall(u, Sys.exit_group, 0),
      )) programs.set(address, step);
      expect(await runInit("/bin/init", ["init"])).toBe(Signal.SIGSEGV);
    },
    "children of a parent ignoring SIGCHLD are reaped at exit (wait4 then gives ECHILD)": async () => {
      output.length = 0;
      programs.clear();
      const scratch = 0x7fff_ffff_e000 - 256;
      const ignore = new Uint8Array(32);
      ignore[0] = 1;
      for (const [address, step] of program(
        0x401000,
        (u) => store(u, scratch, ignore) ?? syscall(u, Sys.rt_sigaction, Signal.SIGCHLD, scratch, 0, 8),
        (u) => syscall(u, Sys.fork),
        (u) => (result(u.context) === 0 ? syscall(u, Sys.exit_group, 3) : syscall(u, Sys.wait4, -1, 0, 0, 0)),
        (u) => syscall(u, Sys.exit_group, result(u.context) === -Errno.ECHILD ? 0 : 1),
      )) programs.set(address, step);
      expect(await runInit("/bin/init", ["init"])).toBe(0);
    },
    "pipes carry bytes between parent and child": async () => {
      output.length = 0;
      programs.clear();
      const fds = 0x7fff_ffff_e000 - 128;
      const buffer = 0x7fff_ffff_e000 - 1024;
      for (const [address, step] of program(
        0x401000,
        (u) => syscall(u, Sys.pipe2, fds, 0),
        (u) => syscall(u, Sys.fork),
        (u) => {
          if (result(u.context) === 0) return store(u, buffer, encode("through a pipe")) ?? syscall(u, Sys.write, u.load(fds + 4) ?? -1, buffer, 14);
          return syscall(u, Sys.read, u.load(fds) ?? -1, buffer + 100, 100);
        },
        (u) => {
          if ((u.load(fds + 8) ?? 0) === 0 && result(u.context) === 14 && u.load(buffer + 100) === undefined) return UserExit.Exception;
          return syscall(u, Sys.getppid);
        },
        (u) => {
          if (result(u.context) !== 0) return syscall(u, Sys.exit_group, 0);
          return syscall(u, Sys.write, 1, buffer + 100, 14);
        },
        (u) => syscall(u, Sys.wait4, -1, 0, 0, 0),
        (u) => syscall(u, Sys.exit_group, 0),
      )) programs.set(address, step);
      expect(await runInit("/bin/init", ["init"])).toBe(0);
      expect(output).toEqual(["through a pipe"]);
    },
  }, { beforeAll, it }, user);
});
