/**
 * The console as a plain byte stream, for a board whose host side is a pipe rather than a
 * terminal (boot option `console=pipe`, which `osdk run` passes when its standard input is
 * not a terminal). There is no line discipline: no echo, no CR LF, no signal characters, the
 * device is not a tty (terminal ioctls fail with ENOTTY, so shells run non-interactively), and
 * the end of host input (the serial line's break) is end of file. Programs then read and
 * write exactly what they would with their standard streams redirected natively.
 */

import type { CharDevice, IoCaller } from "@asterism/svc-fs";
import { Errno, SyscallError } from "../errno.ts";
import { SignalAwareQueue } from "../process/interruptible-wait.ts";

const POLLIN = 0x001;
const POLLOUT = 0x004;

export class StreamConsole implements CharDevice {
  readonly #output: (bytes: Uint8Array) => void;
  readonly #pending: Uint8Array[] = [];
  readonly #input = new SignalAwareQueue();
  readonly #listeners = new Set<() => void>();
  #ended = false;

  constructor(output: (bytes: Uint8Array) => void) {
    this.#output = output;
  }

  /** Bytes from the host (called from the serial port's interrupt bottom half). */
  receive(bytes: Uint8Array): void {
    if (bytes.length > 0) this.#pending.push(bytes);
    this.#notify();
  }

  /** The host's input has ended: readers get end of file once the pending bytes are read. */
  end(): void {
    this.#ended = true;
    this.#notify();
  }

  async read(length: number, nonblock: boolean, caller: IoCaller): Promise<Uint8Array> {
    for (;;) {
      if (length === 0) return new Uint8Array(0);
      const chunk = this.#pending[0];
      if (chunk !== undefined) {
        if (chunk.length <= length) return this.#pending.shift() ?? chunk;
        this.#pending[0] = chunk.subarray(length);
        return chunk.slice(0, length);
      }
      if (this.#ended) return new Uint8Array(0);
      if (nonblock) throw new SyscallError(Errno.EAGAIN);
      const woken = await this.#input.waitUntil(() => (this.#pending.length > 0 || this.#ended ? "input" : caller.interrupted() ? "signal" : undefined));
      if (woken === "signal") throw new SyscallError(Errno.EINTR);
    }
  }

  write(data: Uint8Array): number {
    this.#output(data);
    return data.length;
  }

  ioctl(): number {
    throw new SyscallError(Errno.ENOTTY, "the console is a byte stream (console=pipe)");
  }

  poll(events: number): number {
    return (this.#pending.length > 0 || this.#ended ? events & POLLIN : 0) | (events & POLLOUT);
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #notify(): void {
    this.#input.wakeAll();
    for (const listener of [...this.#listeners]) listener();
  }
}
