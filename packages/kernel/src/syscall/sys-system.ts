/**
 * System information and time: uname, sysinfo, getrandom, clock_gettime/getres,
 * gettimeofday, time, times, getrusage, nanosleep, clock_nanosleep, alarm/setitimer
 * (SIGALRM from an OSTD timer), priorities and CPU affinity (one CPU). Time comes from
 * OSTD's clocks (the board's), never the host's.
 */

import { Timer } from "@asterism/ostd";
import { Errno, SyscallError } from "../errno.ts";
import type { Kernel } from "../kernel.ts";
import type { Process } from "../process/process.ts";
import { SiCode } from "../signal/signal-state.ts";
import { Signal } from "../signal/signals.ts";
import { readI64, writeI64 } from "../util/le-bytes.ts";
import type { SyscallArgs } from "./args.ts";
import { Sys } from "./numbers.ts";
import { utf8Bytes } from "../util/byte-string.ts";

const Clock = { REALTIME: 0, MONOTONIC: 1, PROCESS_CPUTIME: 2, THREAD_CPUTIME: 3, MONOTONIC_RAW: 4, REALTIME_COARSE: 5, MONOTONIC_COARSE: 6, BOOTTIME: 7 } as const;
const TIMER_ABSTIME = 1;
const GRND_NONBLOCK = 1;
const GRND_RANDOM = 2;
const NS_PER_SECOND = 1_000_000_000;
const UTS_FIELD = 65;
const ITIMER_REAL = 0;
const UNAME_FIELDS = ["Linux", "asterism", "6.1.0-asterism", "#1 SMP Asterism framekernel", "x86_64", "(none)"];

function clockNs(clock: number): number {
  switch (clock) {
    case Clock.REALTIME:
    case Clock.REALTIME_COARSE:
      return Timer.realtime();
    case Clock.MONOTONIC:
    case Clock.MONOTONIC_RAW:
    case Clock.MONOTONIC_COARSE:
    case Clock.BOOTTIME:
    case Clock.PROCESS_CPUTIME:
    case Clock.THREAD_CPUTIME:
      return Timer.now();
    default:
      throw new SyscallError(Errno.EINVAL, `clock ${String(clock)}`);
  }
}

/** struct timespec (or timeval with `divisor` 1000). */
function encodeTime(ns: number, divisor = 1): Uint8Array {
  const bytes = new Uint8Array(16);
  const seconds = Math.floor(ns / NS_PER_SECOND);
  writeI64(bytes, 0, seconds);
  writeI64(bytes, 8, Math.floor((ns - seconds * NS_PER_SECOND) / divisor));
  return bytes;
}

async function readTimespec(process: Process, address: number): Promise<number> {
  const bytes = await process.space.read(address, 16);
  const seconds = readI64(bytes, 0);
  const nanoseconds = readI64(bytes, 8);
  if (seconds < 0 || nanoseconds < 0 || nanoseconds >= NS_PER_SECOND) throw new SyscallError(Errno.EINVAL, "bad timespec");
  return seconds * NS_PER_SECOND + nanoseconds;
}

/** Sleeps until monotonic `deadline`; EINTR (with the time left in `remain`) on a signal. */
async function sleepUntil(process: Process, deadline: number, clock: number, remainAddress: number): Promise<number> {
  const done = await process.events.waitUntil(() => (clockNs(clock) >= deadline ? "done" : process.hasDeliverableSignal ? "signal" : undefined), Math.max(0, deadline - clockNs(clock)));
  if (done === "signal") {
    if (remainAddress !== 0) await process.space.write(remainAddress, encodeTime(Math.max(0, deadline - clockNs(clock))));
    throw new SyscallError(Errno.EINTR);
  }
  return 0;
}

function uname(): Uint8Array {
  const bytes = new Uint8Array(UTS_FIELD * 6);
  for (const [index, field] of UNAME_FIELDS.entries()) bytes.set(utf8Bytes(field).subarray(0, UTS_FIELD - 1), index * UTS_FIELD);
  return bytes;
}

async function getrandom(kernel: Kernel, process: Process, args: SyscallArgs): Promise<number> {
  if ((args.u32(2) & ~(GRND_NONBLOCK | GRND_RANDOM | 4)) !== 0) throw new SyscallError(Errno.EINVAL, "getrandom flags");
  const length = Math.min(args.unsigned(1), 33_554_431);
  await process.space.write(args.unsigned(0), kernel.entropy.bytes(length));
  return length;
}

/** struct sysinfo (112 bytes): uptime, loads, memory in bytes (mem_unit 1), process count. */
function sysinfo(kernel: Kernel): Uint8Array {
  const bytes = new Uint8Array(112);
  writeI64(bytes, 0, Math.floor(Timer.now() / NS_PER_SECOND));
  writeI64(bytes, 32, kernel.memoryBytes);
  writeI64(bytes, 40, Math.max(0, kernel.memoryBytes - kernel.usedMemoryBytes));
  const processes = kernel.table.all.length;
  bytes[80] = processes & 0xff;
  bytes[81] = (processes >> 8) & 0xff;
  bytes[104] = 1;
  return bytes;
}

/** alarm/setitimer(ITIMER_REAL): arms (or with 0 disarms) the process's SIGALRM timer; returns the ns left on the old one. */
function armRealTimer(process: Process, delayNs: number): number {
  const previous = process.realTimer;
  const left = previous === undefined ? 0 : Math.max(0, previous.deadline - Timer.now());
  previous?.cancel();
  process.realTimer = undefined;
  if (delayNs > 0) {
    const timer = Timer.after(delayNs, () => {
      process.realTimer = undefined;
      process.signal({ signal: Signal.SIGALRM, code: SiCode.Kernel });
    });
    process.realTimer = { cancel: () => { timer.cancel(); }, deadline: Timer.now() + delayNs };
  }
  return left;
}

async function setitimer(process: Process, args: SyscallArgs): Promise<number> {
  if (args.int(0) !== ITIMER_REAL) throw new SyscallError(Errno.EINVAL, "only ITIMER_REAL is supported");
  const value = args.unsigned(1) === 0 ? new Uint8Array(32) : await process.space.read(args.unsigned(1), 32);
  const delay = readI64(value, 16) * NS_PER_SECOND + readI64(value, 24) * 1000;
  if (delay < 0) throw new SyscallError(Errno.EINVAL, "negative timer");
  const left = armRealTimer(process, delay);
  if (args.unsigned(2) !== 0) {
    const old = new Uint8Array(32);
    old.set(encodeTime(left, 1000), 16);
    await process.space.write(args.unsigned(2), old);
  }
  return 0;
}

export function registerSystemSyscalls(kernel: Kernel): void {
  const table = kernel.syscalls;
  table.register(Sys.uname, async (process, args) => {
    await process.space.write(args.unsigned(0), uname());
    return 0;
  });
  table.register(Sys.getrandom, (process, args) => getrandom(kernel, process, args));
  table.register(Sys.clock_gettime, async (process, args) => {
    await process.space.write(args.unsigned(1), encodeTime(clockNs(args.int(0))));
    return 0;
  });
  table.register(Sys.clock_getres, async (process, args) => {
    clockNs(args.int(0));
    if (args.unsigned(1) !== 0) await process.space.write(args.unsigned(1), encodeTime(1));
    return 0;
  });
  table.register(Sys.gettimeofday, async (process, args) => {
    if (args.unsigned(0) !== 0) await process.space.write(args.unsigned(0), encodeTime(Timer.realtime(), 1000));
    if (args.unsigned(1) !== 0) await process.space.write(args.unsigned(1), new Uint8Array(8));
    return 0;
  });
  table.register(Sys.time, async (process, args) => {
    const seconds = Math.floor(Timer.realtime() / NS_PER_SECOND);
    if (args.unsigned(0) !== 0) {
      const bytes = new Uint8Array(8);
      writeI64(bytes, 0, seconds);
      await process.space.write(args.unsigned(0), bytes);
    }
    return seconds;
  });
  table.register(Sys.nanosleep, async (process, args) => {
    const duration = await readTimespec(process, args.unsigned(0));
    return sleepUntil(process, Timer.now() + duration, Clock.MONOTONIC, args.unsigned(1));
  });
  table.register(Sys.clock_nanosleep, async (process, args) => {
    const clock = args.int(0);
    const value = await readTimespec(process, args.unsigned(2));
    const deadline = (args.int(1) & TIMER_ABSTIME) !== 0 ? value : clockNs(clock) + value;
    return sleepUntil(process, deadline, clock, (args.int(1) & TIMER_ABSTIME) !== 0 ? 0 : args.unsigned(3));
  });
  table.register(Sys.times, async (process, args) => {
    if (args.unsigned(0) !== 0) await process.space.write(args.unsigned(0), new Uint8Array(32));
    return Math.floor(Timer.now() / 10_000_000);
  });
  table.register(Sys.sysinfo, async (process, args) => {
    await process.space.write(args.unsigned(0), sysinfo(kernel));
    return 0;
  });
  table.register(Sys.alarm, (process, args) => Math.ceil(armRealTimer(process, args.u32(0) * NS_PER_SECOND) / NS_PER_SECOND));
  table.register(Sys.setitimer, (process, args) => setitimer(process, args));
  table.register(Sys.getpriority, () => 20);
  table.register(Sys.setpriority, () => 0);
  table.register(Sys.sched_getaffinity, async (process, args) => {
    if (args.unsigned(1) < 8) throw new SyscallError(Errno.EINVAL, "mask too small");
    await process.space.write(args.unsigned(2), Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 0));
    return 8;
  });
  table.register(Sys.getrusage, async (process, args) => {
    await process.space.write(args.unsigned(1), new Uint8Array(144));
    return 0;
  });
}
