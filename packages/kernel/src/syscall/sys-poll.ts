/**
 * poll, ppoll, select and pselect6 over svc-fs's readiness (`OpenFile.poll`) and change
 * notification (`OpenFile.subscribe`): the caller sleeps until a descriptor becomes ready,
 * the timeout passes or a signal arrives (EINTR), and ioctl, which goes to the open file
 * (terminal ioctls are answered by the tty device).
 */

import { POLLIN, POLLNVAL, POLLOUT, POLLPRI, POLLERR, POLLHUP, type OpenFile } from "@asterism/svc-fs";
import { Errno, SyscallError } from "../errno.ts";
import type { Kernel } from "../kernel.ts";
import type { Process } from "../process/process.ts";
import { ioCallerOf } from "../process/io-caller.ts";
import { readI32, readI64, readU16, writeU16 } from "../util/le-bytes.ts";
import type { SyscallArgs } from "./args.ts";
import { Sys } from "./numbers.ts";

const NS_PER_MS = 1_000_000;
const NS_PER_SECOND = 1_000_000_000;
const MAX_POLL_FDS = 1024;
const FD_SETSIZE = 1024;

interface PollRequest {
  readonly fd: number;
  readonly events: number;
}

/** Readiness of each request now (POLLNVAL for a closed fd). */
function pollOnce(process: Process, requests: readonly PollRequest[]): number[] {
  return requests.map(({ fd, events }) => {
    if (fd < 0) return 0;
    if (!process.files.has(fd)) return POLLNVAL;
    return process.files.get(fd).poll(events | POLLERR | POLLHUP) & (events | POLLERR | POLLHUP);
  });
}

/**
 * Waits until some request is ready, `timeoutNs` passes (undefined: forever) or a signal
 * arrives (EINTR). Returns the revents of every request.
 */
async function waitReady(process: Process, requests: readonly PollRequest[], timeoutNs: number | undefined): Promise<number[]> {
  const files: OpenFile[] = [];
  for (const { fd } of requests) if (fd >= 0 && process.files.has(fd)) files.push(process.files.get(fd));
  let changed = false;
  const unsubscribers = files.map((file) => file.subscribe(() => {
    changed = true;
    process.events.wakeAll();
  }));
  try {
    let ready = pollOnce(process, requests);
    if (ready.some((revents) => revents !== 0) || timeoutNs === 0) return ready;
    const outcome = await process.events.waitUntil(() => {
      if (changed) {
        changed = false;
        ready = pollOnce(process, requests);
        if (ready.some((revents) => revents !== 0)) return "ready";
      }
      return process.hasDeliverableSignal ? "signal" : undefined;
    }, timeoutNs);
    if (outcome === "signal") throw new SyscallError(Errno.EINTR);
    return outcome === "ready" ? ready : pollOnce(process, requests);
  } finally {
    for (const unsubscribe of unsubscribers) unsubscribe();
  }
}

async function poll(process: Process, address: number, count: number, timeoutNs: number | undefined): Promise<number> {
  if (count < 0 || count > MAX_POLL_FDS) throw new SyscallError(Errno.EINVAL, "too many fds");
  const bytes = await process.space.read(address, count * 8);
  const requests: PollRequest[] = [];
  for (let index = 0; index < count; index++) {
    requests.push({ fd: readI32(bytes, index * 8), events: readU16(bytes, index * 8 + 4) });
  }
  const ready = await waitReady(process, requests, timeoutNs);
  ready.forEach((revents, index) => { writeU16(bytes, index * 8 + 6, revents); });
  await process.space.write(address, bytes);
  return ready.filter((revents) => revents !== 0).length;
}

async function readTimeout(process: Process, address: number, nanosecondsPerUnit: number): Promise<number | undefined> {
  if (address === 0) return undefined;
  const bytes = await process.space.read(address, 16);
  const seconds = readI64(bytes, 0);
  const fraction = readI64(bytes, 8);
  if (seconds < 0 || fraction < 0) throw new SyscallError(Errno.EINVAL, "negative timeout");
  return seconds * NS_PER_SECOND + fraction * nanosecondsPerUnit;
}

async function readFdSet(process: Process, address: number, count: number): Promise<Uint8Array | undefined> {
  return address === 0 ? undefined : process.space.read(address, Math.ceil(count / 64) * 8);
}

function isSet(set: Uint8Array | undefined, fd: number): boolean {
  return set !== undefined && ((set[fd >> 3] ?? 0) & (1 << (fd & 7))) !== 0;
}

async function select(process: Process, args: SyscallArgs, timeoutNs: number | undefined): Promise<number> {
  const count = args.int(0);
  if (count < 0 || count > FD_SETSIZE) throw new SyscallError(Errno.EINVAL, "bad nfds");
  const sets = [await readFdSet(process, args.unsigned(1), count), await readFdSet(process, args.unsigned(2), count), await readFdSet(process, args.unsigned(3), count)];
  const requests: PollRequest[] = [];
  for (let fd = 0; fd < count; fd++) {
    const events = (isSet(sets[0], fd) ? POLLIN : 0) | (isSet(sets[1], fd) ? POLLOUT : 0) | (isSet(sets[2], fd) ? POLLPRI : 0);
    if (events === 0) continue;
    if (!process.files.has(fd)) throw new SyscallError(Errno.EBADF, `fd ${String(fd)}`);
    requests.push({ fd, events });
  }
  const ready = await waitReady(process, requests, timeoutNs);
  const results = sets.map((set) => (set === undefined ? undefined : new Uint8Array(set.length)));
  let total = 0;
  ready.forEach((revents, index) => {
    const fd = requests[index]?.fd ?? 0;
    const bits = [revents & (POLLIN | POLLHUP | POLLERR), revents & (POLLOUT | POLLERR), revents & POLLPRI];
    bits.forEach((bit, which) => {
      const result = results[which];
      if (bit === 0 || result === undefined || !isSet(sets[which], fd)) return;
      result[fd >> 3] = (result[fd >> 3] ?? 0) | (1 << (fd & 7));
      total++;
    });
  });
  for (const [which, result] of results.entries()) if (result !== undefined) await process.space.write(args.unsigned(which + 1), result);
  return total;
}

export function registerPollSyscalls(kernel: Kernel): void {
  const table = kernel.syscalls;
  table.register(Sys.poll, (process, args) => poll(process, args.unsigned(0), args.int(1), args.int(2) < 0 ? undefined : args.int(2) * NS_PER_MS));
  table.register(Sys.ppoll, async (process, args) => poll(process, args.unsigned(0), args.int(1), await readTimeout(process, args.unsigned(2), 1)));
  table.register(Sys.select, async (process, args) => select(process, args, await readTimeout(process, args.unsigned(4), 1000)));
  table.register(Sys.pselect6, async (process, args) => select(process, args, await readTimeout(process, args.unsigned(4), 1)));
  table.register(Sys.ioctl, (process, args) => process.files.get(args.int(0)).ioctl(args.u32(1), args.unsigned(2), ioCallerOf(process)));
}
