/**
 * The host side of the board's console: connects the guest's serial line (16550 or
 * virtio-console) to the host terminal or to any pair of streams.
 *
 * When the input is an interactive terminal it is put in raw mode, so every key (Ctrl-C
 * included) goes to the guest and the guest's tty does echo and line editing; the mode is
 * restored at power-off. Ctrl-A then `x` powers the board off from the host (exit code 130),
 * like QEMU's escape. With plain pipes the bytes flow through unchanged. Output bytes are
 * batched and written once per event-loop turn instead of one host write per port write.
 */

const CTRL_A = 0x01;
const EXIT_KEY = 0x78;
export const ESCAPE_EXIT_CODE = 130;

/** A terminal-like input stream (process.stdin or any readable). */
export interface ConsoleInput {
  readonly isTTY?: boolean;
  setRawMode?(raw: boolean): unknown;
  on(event: "data", listener: (chunk: Buffer | string) => void): unknown;
  off(event: "data", listener: (chunk: Buffer | string) => void): unknown;
  /** End of input (a pipe's writer closed it); streams that never end may leave these out. */
  once?(event: "end", listener: () => void): unknown;
  removeListener?(event: "end", listener: () => void): unknown;
  resume(): unknown;
  pause(): unknown;
}

/** A writable output stream (process.stdout or any writable). */
export interface ConsoleOutput {
  write(data: Uint8Array): unknown;
}

export class HostTerminal {
  private readonly input: ConsoleInput | undefined;
  private readonly output: ConsoleOutput;
  private readonly onInput: (bytes: Uint8Array) => void;
  private readonly onEscape: () => void;
  private readonly onEnd: () => void;
  private pendingOutput: number[] = [];
  private flushScheduled = false;
  private escapePending = false;
  private started = false;
  private readonly listener = (chunk: Buffer | string): void => {
    this.receive(typeof chunk === "string" ? new TextEncoder().encode(chunk) : new Uint8Array(chunk));
  };

  private readonly endListener = (): void => {
    this.onEnd();
  };

  /** `onEnd` runs when the input stream ends (a pipe's writer closed it). */
  constructor(input: ConsoleInput | undefined, output: ConsoleOutput, onInput: (bytes: Uint8Array) => void, onEscape: () => void, onEnd: () => void = () => undefined) {
    this.input = input;
    this.output = output;
    this.onInput = onInput;
    this.onEscape = onEscape;
    this.onEnd = onEnd;
  }

  /** Whether host input can arrive (an input stream is attached). */
  get hasInput(): boolean {
    return this.input !== undefined;
  }

  start(): void {
    if (this.started || this.input === undefined) return;
    this.started = true;
    if (this.input.isTTY === true) this.input.setRawMode?.(true);
    this.input.on("data", this.listener);
    this.input.once?.("end", this.endListener);
    this.input.resume();
  }

  stop(): void {
    this.flush();
    if (!this.started || this.input === undefined) return;
    this.started = false;
    this.input.off("data", this.listener);
    this.input.removeListener?.("end", this.endListener);
    if (this.input.isTTY === true) this.input.setRawMode?.(false);
    this.input.pause();
  }

  writeByte(byte: number): void {
    this.pendingOutput.push(byte);
    this.scheduleFlush();
  }

  writeBytes(bytes: Uint8Array): void {
    for (const byte of bytes) this.pendingOutput.push(byte);
    this.scheduleFlush();
  }

  flush(): void {
    this.flushScheduled = false;
    if (this.pendingOutput.length === 0) return;
    const bytes = Uint8Array.from(this.pendingOutput);
    this.pendingOutput = [];
    this.output.write(bytes);
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    queueMicrotask(() => { this.flush(); });
  }

  private receive(bytes: Uint8Array): void {
    if (this.input?.isTTY !== true) {
      this.onInput(bytes);
      return;
    }
    const forwarded: number[] = [];
    for (const byte of bytes) {
      if (this.escapePending) {
        this.escapePending = false;
        if (byte === EXIT_KEY) {
          this.onEscape();
          return;
        }
        if (byte !== CTRL_A) forwarded.push(CTRL_A);
        forwarded.push(byte);
      } else if (byte === CTRL_A) {
        this.escapePending = true;
      } else {
        forwarded.push(byte);
      }
    }
    if (forwarded.length > 0) this.onInput(Uint8Array.from(forwarded));
  }
}
