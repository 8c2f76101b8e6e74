/**
 * A terminal as a character device: the line discipline between a serial port and the
 * processes, plus the terminal's job-control state (session, foreground process group)
 * and the termios/winsize ioctls. Reads block (interruptibly) until the discipline has
 * data; signal characters go to the foreground group.
 */

import type { CharDevice, IoCaller } from "@asterism/svc-fs";
import { Errno, SyscallError } from "../errno.ts";
import type { ProcessTable } from "../process/process.ts";
import { processOfCaller } from "../process/io-caller.ts";
import { SignalAwareQueue } from "../process/interruptible-wait.ts";
import { Signal } from "../signal/signals.ts";
import { readI32, writeU32 } from "../util/le-bytes.ts";
import { LineDiscipline } from "./line-discipline.ts";
import { decodeTermios, decodeWinSize, encodeTermios, encodeWinSize, TERMIOS_SIZE, TtyIoctl, WINSIZE_SIZE } from "./termios.ts";

const POLLIN = 0x001;
const POLLOUT = 0x004;
const NS_PER_DECISECOND = 100_000_000;

export class TtyDevice implements CharDevice {
  readonly #discipline: LineDiscipline;
  readonly #table: ProcessTable;
  readonly #input = new SignalAwareQueue();
  readonly #listeners = new Set<() => void>();
  /** Session that owns the terminal and its foreground process group (0: none yet). */
  session = 0;
  foregroundGroup = 0;

  constructor(table: ProcessTable, output: (bytes: Uint8Array) => void) {
    this.#table = table;
    this.#discipline = new LineDiscipline({
      output,
      signal: (signal) => {
        if (this.foregroundGroup !== 0) this.#table.signalGroup(this.foregroundGroup, signal);
      },
    });
  }

  /** Bytes typed on the terminal (called from the serial port's interrupt bottom half). */
  receive(bytes: Uint8Array): void {
    this.#discipline.receive(bytes);
    this.#input.wakeAll();
    for (const listener of [...this.#listeners]) listener();
  }

  async read(length: number, nonblock: boolean, caller: IoCaller): Promise<Uint8Array> {
    this.#checkBackgroundRead(caller);
    let timedOut = false;
    for (;;) {
      const outcome = this.#discipline.read(length, timedOut);
      if (outcome.kind === "data") return outcome.bytes;
      if (nonblock) throw new SyscallError(Errno.EAGAIN);
      const timeout = outcome.timeoutDeciseconds === undefined ? undefined : outcome.timeoutDeciseconds * NS_PER_DECISECOND;
      const woken = await this.#input.waitUntil(() => (this.#discipline.readable ? "input" : caller.interrupted() ? "signal" : undefined), timeout);
      if (woken === "signal") throw new SyscallError(Errno.EINTR);
      timedOut = woken === undefined;
    }
  }

  /**
   * A background process group of the terminal's session may not read: its group gets
   * SIGTTIN (which stops it by default), or the read fails with EIO if SIGTTIN is blocked
   * or ignored, as Linux's job control demands.
   */
  #checkBackgroundRead(caller: IoCaller): void {
    const process = processOfCaller(caller);
    if (process === undefined || this.foregroundGroup === 0 || process.sid !== this.session || process.pgid === this.foregroundGroup) return;
    if (process.blocked.has(Signal.SIGTTIN) || process.actions.isIgnored(Signal.SIGTTIN)) throw new SyscallError(Errno.EIO, "background read");
    this.#table.signalGroup(process.pgid, Signal.SIGTTIN);
    throw new SyscallError(Errno.EINTR);
  }

  write(data: Uint8Array): number {
    this.#discipline.write(data);
    return data.length;
  }

  poll(events: number): number {
    return (this.#discipline.readable ? events & POLLIN : 0) | (events & POLLOUT);
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async ioctl(request: number, argument: number, caller: IoCaller): Promise<number> {
    const process = processOfCaller(caller);
    if (process === undefined) throw new SyscallError(Errno.ENOTTY, "terminal ioctl without a process");
    const space = process.space;
    switch (request) {
      case TtyIoctl.TCGETS:
        await space.write(argument, encodeTermios(this.#discipline.termios));
        return 0;
      case TtyIoctl.TCSETS:
      case TtyIoctl.TCSETSW:
      case TtyIoctl.TCSETSF:
        this.#discipline.setTermios(decodeTermios(await space.read(argument, TERMIOS_SIZE)), request === TtyIoctl.TCSETSF);
        return 0;
      case TtyIoctl.TIOCGWINSZ:
        await space.write(argument, encodeWinSize(this.#discipline.winSize));
        return 0;
      case TtyIoctl.TIOCSWINSZ:
        this.#discipline.winSize = decodeWinSize(await space.read(argument, WINSIZE_SIZE));
        return 0;
      case TtyIoctl.TIOCGPGRP:
        await space.write(argument, int32(this.foregroundGroup));
        return 0;
      case TtyIoctl.TIOCSPGRP: {
        const group = readI32(await space.read(argument, 4), 0);
        if (group <= 0) throw new SyscallError(Errno.EINVAL, "bad process group");
        if (process.sid !== this.session) throw new SyscallError(Errno.ENOTTY, "not the controlling terminal");
        if (!this.#table.all.some((other) => other.pgid === group && other.sid === this.session)) throw new SyscallError(Errno.EPERM);
        this.foregroundGroup = group;
        return 0;
      }
      case TtyIoctl.TIOCGSID:
        await space.write(argument, int32(this.session));
        return 0;
      case TtyIoctl.TIOCSCTTY:
        this.session = process.sid;
        this.foregroundGroup = process.pgid;
        return 0;
      case TtyIoctl.TIOCNOTTY:
        return 0;
      case TtyIoctl.FIONREAD:
        await space.write(argument, int32(this.#discipline.available));
        return 0;
      case TtyIoctl.TCFLSH:
        this.#discipline.flushInput();
        return 0;
      case TtyIoctl.TIOCOUTQ:
        await space.write(argument, int32(0));
        return 0;
      default:
        throw new SyscallError(Errno.ENOTTY, `tty ioctl 0x${request.toString(16)}`);
    }
  }
}

function int32(value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  writeU32(bytes, 0, value);
  return bytes;
}
