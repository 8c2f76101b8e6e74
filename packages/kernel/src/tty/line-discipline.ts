/**
 * The N_TTY line discipline as a state machine: what a terminal does between the UART and
 * the programs reading it. Input bytes go through iflag translation (ICRNL, IGNCR, INLCR),
 * signal characters (ISIG: ^C, ^\, ^Z), canonical line editing (ICANON: erase, word erase,
 * kill, ^D, literal next) and echo (ECHO, ECHOE, ECHOK, ECHOKE, ECHOCTL, ECHONL); output goes
 * through OPOST (ONLCR, OCRNL).
 *
 * It never blocks and knows nothing of tasks: `read` says either "here are bytes" or "block,
 * optionally with a VTIME timeout", and the tty device that owns it does the waiting. That
 * keeps every terminal behaviour testable as plain input/output sequences.
 */

import { Signal } from "../signal/signals.ts";
import { Cc, defaultTermios, IFlag, LFlag, OFlag, type Termios, type WinSize } from "./termios.ts";

export interface LineDisciplineHooks {
  /** Bytes for the terminal: echo and processed program output. */
  output(bytes: Uint8Array): void;
  /** A signal for the foreground process group (SIGINT, SIGQUIT, SIGTSTP). */
  signal(signal: number): void;
}

export type ReadOutcome =
  | { readonly kind: "data"; readonly bytes: Uint8Array }
  | { readonly kind: "block"; readonly timeoutDeciseconds: number | undefined };

/** Linux's N_TTY_BUF_SIZE: the longest canonical line, newline included. */
const MAX_LINE = 4096;
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const BACKSPACE_SPACE_BACKSPACE = Uint8Array.of(0x08, 0x20, 0x08);
const DELETE = 0x7f;
/** A completed canonical line; an empty one without a newline is end-of-file. */
type Line = { bytes: Uint8Array; offset: number };

function isContinuationByte(byte: number): boolean {
  return (byte & 0xc0) === 0x80;
}

function isControl(byte: number): boolean {
  return byte < 0x20 || byte === DELETE;
}

export class LineDiscipline {
  readonly #hooks: LineDisciplineHooks;
  #termios: Termios = defaultTermios();
  #winSize: WinSize = { rows: 24, cols: 80, xpixel: 0, ypixel: 0 };
  /** The line being edited (canonical mode). */
  #editing: number[] = [];
  /** Completed lines waiting for read (canonical mode). */
  readonly #lines: Line[] = [];
  /** Bytes waiting for read (non-canonical mode). */
  #raw: number[] = [];
  #literalNext = false;

  constructor(hooks: LineDisciplineHooks) {
    this.#hooks = hooks;
  }

  get termios(): Termios {
    return this.#termios;
  }

  get winSize(): WinSize {
    return this.#winSize;
  }

  set winSize(size: WinSize) {
    const changed = size.rows !== this.#winSize.rows || size.cols !== this.#winSize.cols;
    this.#winSize = size;
    if (changed) this.#hooks.signal(Signal.SIGWINCH);
  }

  /** TCSETS (and TCSETSF with `flushInput`). Leaving canonical mode hands pending input over. */
  setTermios(termios: Termios, flushInput = false): void {
    const wasCanonical = this.#canonical;
    const nowCanonical = (termios.lflag & LFlag.ICANON) !== 0;
    this.#termios = termios;
    if (flushInput) {
      this.flushInput();
      return;
    }
    if (wasCanonical && !nowCanonical) {
      for (const line of this.#lines.splice(0)) this.#raw.push(...line.bytes.subarray(line.offset));
      this.#raw.push(...this.#editing);
      this.#editing = [];
    } else if (!wasCanonical && nowCanonical) {
      const pending = this.#raw;
      this.#raw = [];
      for (const byte of pending) this.#canonicalInput(byte, false);
    }
  }

  flushInput(): void {
    this.#editing = [];
    this.#lines.length = 0;
    this.#raw = [];
    this.#literalNext = false;
  }

  /** Bytes a read could return now (FIONREAD). */
  get available(): number {
    if (!this.#canonical) return this.#raw.length;
    return this.#lines.reduce((sum, line) => sum + line.bytes.length - line.offset, 0);
  }

  /** Whether a read would return at once (poll's POLLIN). */
  get readable(): boolean {
    if (this.#canonical) return this.#lines.length > 0;
    return this.#raw.length >= Math.max(1, this.#cc(Cc.VMIN)) || (this.#raw.length > 0 && this.#cc(Cc.VTIME) > 0);
  }

  /** Input from the terminal. */
  receive(bytes: Uint8Array): void {
    for (const byte of bytes) this.#receiveByte(byte);
  }

  /**
   * A read of up to `max` bytes. Canonical mode returns at most one line; an empty `bytes` is
   * end-of-file (^D on an empty line) or, in raw mode with VMIN=0, "nothing yet". After a
   * `block` with a timeout expires, call again with `timedOut`.
   */
  read(max: number, timedOut = false): ReadOutcome {
    if (max <= 0) return { kind: "data", bytes: new Uint8Array(0) };
    return this.#canonical ? this.#readLine(max) : this.#readRaw(max, timedOut);
  }

  /** Program output, processed for the terminal. */
  write(bytes: Uint8Array): void {
    this.#hooks.output(this.#processOutput(bytes));
  }

  get #canonical(): boolean {
    return (this.#termios.lflag & LFlag.ICANON) !== 0;
  }

  #cc(index: number): number {
    return this.#termios.cc[index] ?? 0;
  }

  #lflag(flag: number): boolean {
    return (this.#termios.lflag & flag) !== 0;
  }

  #readLine(max: number): ReadOutcome {
    const line = this.#lines[0];
    if (line === undefined) return { kind: "block", timeoutDeciseconds: undefined };
    const end = Math.min(line.bytes.length, line.offset + max);
    const bytes = line.bytes.slice(line.offset, end);
    line.offset = end;
    if (line.offset >= line.bytes.length) this.#lines.shift();
    return { kind: "data", bytes };
  }

  #readRaw(max: number, timedOut: boolean): ReadOutcome {
    const minimum = this.#cc(Cc.VMIN);
    const time = this.#cc(Cc.VTIME);
    const have = this.#raw.length;
    const enough = minimum === 0 ? have > 0 || time === 0 : have >= Math.min(minimum, max);
    if (!enough && !(timedOut && (have > 0 || minimum === 0))) {
      const timer = time === 0 || (minimum > 0 && have === 0) ? undefined : time;
      return { kind: "block", timeoutDeciseconds: timer };
    }
    return { kind: "data", bytes: Uint8Array.from(this.#raw.splice(0, Math.min(max, have))) };
  }

  #receiveByte(input: number): void {
    const byte = this.#translateInput(input);
    if (byte === undefined) return;
    if (this.#literalNext) {
      this.#literalNext = false;
      this.#store(byte, true);
      return;
    }
    if (this.#lflag(LFlag.ISIG) && this.#handleSignalCharacter(byte)) return;
    if (this.#canonical) this.#canonicalInput(byte, true);
    else this.#store(byte, true);
  }

  #translateInput(byte: number): number | undefined {
    const { iflag } = this.#termios;
    if (byte === CARRIAGE_RETURN) {
      if ((iflag & IFlag.IGNCR) !== 0) return undefined;
      if ((iflag & IFlag.ICRNL) !== 0) return NEWLINE;
    } else if (byte === NEWLINE && (iflag & IFlag.INLCR) !== 0) {
      return CARRIAGE_RETURN;
    }
    return byte;
  }

  #handleSignalCharacter(byte: number): boolean {
    const signal = this.#signalFor(byte);
    if (signal === undefined) return false;
    if (!this.#lflag(LFlag.NOFLSH)) this.flushInput();
    this.#echoByte(byte);
    this.#hooks.signal(signal);
    return true;
  }

  #signalFor(byte: number): number | undefined {
    if (byte === 0) return undefined; // _POSIX_VDISABLE
    if (byte === this.#cc(Cc.VINTR)) return Signal.SIGINT;
    if (byte === this.#cc(Cc.VQUIT)) return Signal.SIGQUIT;
    if (byte === this.#cc(Cc.VSUSP)) return Signal.SIGTSTP;
    return undefined;
  }

  #canonicalInput(byte: number, echo: boolean): void {
    const extended = this.#lflag(LFlag.IEXTEN);
    if (byte !== 0) {
      if (this.#editCharacter(byte, extended, echo)) return;
    }
    const endsLine = byte === NEWLINE || (byte !== 0 && (byte === this.#cc(Cc.VEOL) || byte === this.#cc(Cc.VEOL2)));
    if (endsLine) {
      if (echo && (this.#lflag(LFlag.ECHO) || (byte === NEWLINE && this.#lflag(LFlag.ECHONL)))) this.#echoByte(byte);
      this.#editing.push(byte);
      this.#completeLine();
      return;
    }
    this.#store(byte, echo);
  }

  /** Handles erase, word erase, kill, literal-next and end-of-file; false for other bytes. */
  #editCharacter(byte: number, extended: boolean, echo: boolean): boolean {
    if (byte === this.#cc(Cc.VERASE)) this.#erase(1, echo);
    else if (extended && byte === this.#cc(Cc.VWERASE)) this.#eraseWord(echo);
    else if (byte === this.#cc(Cc.VKILL)) this.#kill(echo);
    else if (extended && byte === this.#cc(Cc.VLNEXT)) this.#literalNext = true;
    else if (byte === this.#cc(Cc.VEOF)) this.#completeLine();
    else return false;
    return true;
  }

  /** Stores a data byte in the current line (canonical) or the raw queue, echoing it. */
  #store(byte: number, echo: boolean): void {
    if (this.#canonical) {
      if (this.#editing.length >= MAX_LINE - 1) return;
      this.#editing.push(byte);
    } else {
      this.#raw.push(byte);
    }
    if (echo) this.#echoByte(byte);
  }

  #completeLine(): void {
    this.#lines.push({ bytes: Uint8Array.from(this.#editing), offset: 0 });
    this.#editing = [];
  }

  #erase(characters: number, echo: boolean): void {
    for (let count = 0; count < characters && this.#editing.length > 0; count++) {
      let byte = this.#editing.pop() ?? 0;
      if ((this.#termios.iflag & IFlag.IUTF8) !== 0) {
        while (isContinuationByte(byte) && this.#editing.length > 0) byte = this.#editing.pop() ?? 0;
      }
      if (echo && this.#lflag(LFlag.ECHO) && this.#lflag(LFlag.ECHOE)) {
        const columns = isControl(byte) && this.#lflag(LFlag.ECHOCTL) ? 2 : 1;
        for (let column = 0; column < columns; column++) this.#hooks.output(BACKSPACE_SPACE_BACKSPACE);
      }
    }
  }

  #eraseWord(echo: boolean): void {
    const isSpace = (byte: number | undefined): boolean => byte === 0x20 || byte === 0x09;
    let count = 0;
    let index = this.#editing.length;
    while (index > 0 && isSpace(this.#editing[index - 1])) index--;
    while (index > 0 && !isSpace(this.#editing[index - 1])) index--;
    for (let at = index; at < this.#editing.length; at++) if (!isContinuationByte(this.#editing[at] ?? 0)) count++;
    this.#erase(count, echo);
  }

  #kill(echo: boolean): void {
    if (echo && this.#lflag(LFlag.ECHO) && this.#lflag(LFlag.ECHOK) && !this.#lflag(LFlag.ECHOKE)) {
      this.#echoByte(this.#cc(Cc.VKILL));
      this.#editing = [];
      this.#echoByte(NEWLINE);
      return;
    }
    const characters = this.#editing.filter((byte) => !isContinuationByte(byte)).length;
    this.#erase(characters, echo && this.#lflag(LFlag.ECHOKE));
    this.#editing = [];
  }

  #echoByte(byte: number): void {
    if (!this.#lflag(LFlag.ECHO)) return;
    if (isControl(byte) && byte !== NEWLINE && byte !== 0x09 && this.#lflag(LFlag.ECHOCTL)) {
      this.#hooks.output(Uint8Array.of(0x5e, byte === DELETE ? 0x3f : byte + 0x40));
      return;
    }
    this.#hooks.output(this.#processOutput(Uint8Array.of(byte)));
  }

  #processOutput(bytes: Uint8Array): Uint8Array {
    const { oflag } = this.#termios;
    if ((oflag & OFlag.OPOST) === 0 || (oflag & (OFlag.ONLCR | OFlag.OCRNL)) === 0) return bytes;
    const out: number[] = [];
    for (const byte of bytes) {
      if (byte === NEWLINE && (oflag & OFlag.ONLCR) !== 0) out.push(CARRIAGE_RETURN, NEWLINE);
      else if (byte === CARRIAGE_RETURN && (oflag & OFlag.OCRNL) !== 0) out.push(NEWLINE);
      else out.push(byte);
    }
    return Uint8Array.from(out);
  }
}
