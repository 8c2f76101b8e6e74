/**
 * Pipes: a 64 KiB ring buffer with POSIX blocking semantics.
 *
 * Reads return what is there, block while the pipe is empty and a writer exists, and return
 * end-of-file once every writer has closed. Writes of up to PIPE_BUF bytes are atomic; larger
 * writes may be split. Writing with no reader left raises SIGPIPE (through a callback: the
 * pipe does not know processes) and fails with EPIPE. Blocking goes through an injected
 * `WaitChannel`, which OSTD's `WaitQueue` satisfies and a test can fake; a pending signal
 * ends a wait with EINTR, or with the partial count when some bytes already moved.
 */

import { Errno, SyscallError } from "../errno.ts";
import { Signal } from "../signal/signals.ts";

export const PIPE_CAPACITY = 65536;
export const PIPE_BUF = 4096;

/** The blocking primitive a pipe needs (OSTD's `WaitQueue` has this shape). */
export interface WaitChannel {
  waitUntil<T>(condition: () => T | undefined | false): Promise<T | undefined>;
  wakeAll(): number;
}

export interface PipeIoOptions {
  readonly nonBlocking: boolean;
  /** True when the calling thread has a signal to handle: the wait ends with EINTR. */
  readonly interrupted: () => boolean;
  /** Raises a signal on the calling thread (SIGPIPE). */
  readonly raise: (signal: number) => void;
}

type Wakeup = "ready" | "interrupted";

export class Pipe {
  readonly #buffer: Uint8Array;
  readonly #channel: WaitChannel;
  #head = 0;
  #length = 0;
  #readers = 0;
  #writers = 0;

  constructor(channel: WaitChannel, capacity = PIPE_CAPACITY) {
    this.#channel = channel;
    this.#buffer = new Uint8Array(capacity);
  }

  /** A new reading end (pipe2, dup, fork). */
  openReader(): void {
    this.#readers++;
  }

  openWriter(): void {
    this.#writers++;
  }

  closeReader(): void {
    if (this.#readers === 0) throw new Error("pipe reader closed twice");
    this.#readers--;
    this.#channel.wakeAll();
  }

  closeWriter(): void {
    if (this.#writers === 0) throw new Error("pipe writer closed twice");
    this.#writers--;
    this.#channel.wakeAll();
  }

  /** Open reading and writing ends (FIFO opens wait for the other side). */
  get readers(): number {
    return this.#readers;
  }

  get writers(): number {
    return this.#writers;
  }

  get buffered(): number {
    return this.#length;
  }

  /** poll(): readable when data or EOF, writable when PIPE_BUF fits, hangup when writers are gone. */
  get pollState(): { readable: boolean; writable: boolean; hangup: boolean; error: boolean } {
    return {
      readable: this.#length > 0 || this.#writers === 0,
      writable: this.#readers > 0 && this.#free >= Math.min(PIPE_BUF, this.#buffer.length),
      hangup: this.#writers === 0,
      error: this.#readers === 0,
    };
  }

  async read(max: number, options: PipeIoOptions): Promise<Uint8Array> {
    if (max === 0) return new Uint8Array(0);
    if (this.#length === 0) {
      if (this.#writers === 0) return new Uint8Array(0);
      if (options.nonBlocking) throw new SyscallError(Errno.EAGAIN);
      const wakeup = await this.#wait(() => this.#length > 0 || this.#writers === 0, options);
      if (wakeup === "interrupted") throw new SyscallError(Errno.EINTR);
    }
    const bytes = this.#take(Math.min(max, this.#length));
    this.#channel.wakeAll();
    return bytes;
  }

  async write(bytes: Uint8Array, options: PipeIoOptions): Promise<number> {
    const atomic = bytes.length <= PIPE_BUF;
    let written = 0;
    while (written < bytes.length || bytes.length === 0) {
      if (this.#readers === 0) return this.#brokenPipe(written, options);
      if (bytes.length === 0) return 0;
      const wanted = atomic ? Math.min(bytes.length, this.#buffer.length) : 1;
      if (this.#free >= wanted) {
        const chunk = Math.min(this.#free, bytes.length - written);
        this.#put(bytes.subarray(written, written + chunk));
        written += chunk;
        this.#channel.wakeAll();
        continue;
      }
      if (options.nonBlocking) {
        if (written > 0) return written;
        throw new SyscallError(Errno.EAGAIN);
      }
      const wakeup = await this.#wait(() => this.#readers === 0 || this.#free >= wanted, options);
      if (wakeup === "interrupted") {
        if (written > 0) return written;
        throw new SyscallError(Errno.EINTR);
      }
    }
    return written;
  }

  get #free(): number {
    return this.#buffer.length - this.#length;
  }

  #brokenPipe(written: number, options: PipeIoOptions): number {
    options.raise(Signal.SIGPIPE);
    if (written > 0) return written;
    throw new SyscallError(Errno.EPIPE);
  }

  async #wait(ready: () => boolean, options: PipeIoOptions): Promise<Wakeup> {
    const wakeup = await this.#channel.waitUntil<Wakeup>(() => {
      if (ready()) return "ready";
      return options.interrupted() ? "interrupted" : undefined;
    });
    return wakeup ?? "interrupted";
  }

  #put(bytes: Uint8Array): void {
    const capacity = this.#buffer.length;
    const tail = (this.#head + this.#length) % capacity;
    const first = Math.min(bytes.length, capacity - tail);
    this.#buffer.set(bytes.subarray(0, first), tail);
    this.#buffer.set(bytes.subarray(first), 0);
    this.#length += bytes.length;
  }

  #take(count: number): Uint8Array {
    const capacity = this.#buffer.length;
    const out = new Uint8Array(count);
    const first = Math.min(count, capacity - this.#head);
    out.set(this.#buffer.subarray(this.#head, this.#head + first));
    out.set(this.#buffer.subarray(0, count - first), first);
    this.#head = (this.#head + count) % capacity;
    this.#length -= count;
    return out;
  }
}
