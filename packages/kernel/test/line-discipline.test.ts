import { describe, expect, it } from "vitest";
import { Signal } from "../src/signal/signals.ts";
import { LineDiscipline } from "../src/tty/line-discipline.ts";
import {
  Cc,
  decodeTermios,
  decodeWinSize,
  defaultTermios,
  encodeTermios,
  encodeWinSize,
  LFlag,
  OFlag,
  TERMIOS_SIZE,
  type Termios,
} from "../src/tty/termios.ts";

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
const bytes = (value: string): Uint8Array => new TextEncoder().encode(value);

function terminal() {
  let echoed = "";
  const signals: number[] = [];
  const tty = new LineDiscipline({
    output: (out) => { echoed += text(out); },
    signal: (signal) => signals.push(signal),
  });
  const readText = (max = 100, timedOut = false): string => {
    const outcome = tty.read(max, timedOut);
    return outcome.kind === "block" ? "block" : text(outcome.bytes);
  };
  return { tty, signals, readText, echoed: () => echoed, clearEcho: () => { echoed = ""; } };
}

function raw(termios: Termios, vmin: number, vtime: number): Termios {
  const cc = [...termios.cc];
  cc[Cc.VMIN] = vmin;
  cc[Cc.VTIME] = vtime;
  return { ...termios, lflag: termios.lflag & ~(LFlag.ICANON | LFlag.ECHO | LFlag.ISIG), cc };
}

describe("termios encoding", () => {
  it("round-trips the 36-byte kernel struct and winsize", () => {
    const termios = defaultTermios();
    const encoded = encodeTermios(termios);
    expect(encoded.length).toBe(TERMIOS_SIZE);
    expect(decodeTermios(encoded)).toEqual(termios);
    expect(encoded[17 + Cc.VINTR]).toBe(3);
    expect(decodeWinSize(encodeWinSize({ rows: 50, cols: 132, xpixel: 0, ypixel: 0 }))).toEqual({ rows: 50, cols: 132, xpixel: 0, ypixel: 0 });
    expect(() => decodeTermios(new Uint8Array(10))).toThrow(RangeError);
  });
});

describe("canonical mode", () => {
  it("delivers complete lines, echoes with CR-LF, maps CR to NL", () => {
    const t = terminal();
    t.tty.receive(bytes("echo hi"));
    expect(t.readText()).toBe("block");
    expect(t.tty.readable).toBe(false);
    t.tty.receive(bytes("\rls\n"));
    expect(t.tty.readable).toBe(true);
    expect(t.readText()).toBe("echo hi\n");
    expect(t.readText(1)).toBe("l");
    expect(t.readText()).toBe("s\n");
    expect(t.echoed()).toBe("echo hi\r\nls\r\n");
  });

  it("edits with erase, word erase and kill", () => {
    const t = terminal();
    t.tty.receive(bytes("helo\x7f\x7flo wor ld\x17\x17X\n"));
    expect(t.readText()).toBe("helo X\n");
    t.tty.receive(bytes("garbage\x15ok\n"));
    expect(t.readText()).toBe("ok\n");
    expect(t.echoed()).toContain("\b \b");
  });

  it("erases a whole UTF-8 character", () => {
    const t = terminal();
    t.tty.receive(bytes("né\x7f\n"));
    expect(t.readText()).toBe("n\n");
  });

  it("^D sends a partial line, and on an empty line means end-of-file", () => {
    const t = terminal();
    t.tty.receive(bytes("abc\x04"));
    expect(t.readText()).toBe("abc");
    t.tty.receive(Uint8Array.of(4));
    expect(t.readText()).toBe("");
    expect(t.readText()).toBe("block");
  });

  it("^C and ^Z signal the foreground group, flush input and echo ^C", () => {
    const t = terminal();
    t.tty.receive(bytes("sleep 10\x03"));
    expect(t.signals).toEqual([Signal.SIGINT]);
    expect(t.echoed()).toBe("sleep 10^C");
    t.tty.receive(Uint8Array.of(0x1a, 0x1c));
    expect(t.signals).toEqual([Signal.SIGINT, Signal.SIGTSTP, Signal.SIGQUIT]);
    t.tty.receive(bytes("\n"));
    expect(t.readText()).toBe("\n");
  });

  it("^V quotes the next character", () => {
    const t = terminal();
    t.tty.receive(Uint8Array.of(0x16, 0x03, 0x0a));
    expect(t.signals).toEqual([]);
    expect(t.readText()).toBe("\x03\n");
  });

  it("keeps lines to 4095 bytes plus the newline", () => {
    const t = terminal();
    t.tty.receive(new Uint8Array(5000).fill(0x61));
    t.tty.receive(bytes("\n"));
    expect(t.tty.available).toBe(4096);
  });

  it("does not echo without ECHO", () => {
    const t = terminal();
    t.tty.setTermios({ ...defaultTermios(), lflag: defaultTermios().lflag & ~LFlag.ECHO });
    t.tty.receive(bytes("secret\n"));
    expect(t.echoed()).toBe("");
    expect(t.readText()).toBe("secret\n");
  });
});

describe("non-canonical mode", () => {
  it("VMIN=1 VTIME=0 returns bytes as they come, blocking when empty", () => {
    const t = terminal();
    t.tty.setTermios(raw(defaultTermios(), 1, 0));
    expect(t.tty.read(10)).toEqual({ kind: "block", timeoutDeciseconds: undefined });
    t.tty.receive(bytes("\x03ab"));
    expect(t.signals).toEqual([]);
    expect(t.readText()).toBe("\x03ab");
    expect(t.echoed()).toBe("");
  });

  it("VMIN=0 VTIME=0 polls", () => {
    const t = terminal();
    t.tty.setTermios(raw(defaultTermios(), 0, 0));
    expect(t.readText()).toBe("");
  });

  it("VMIN=0 VTIME>0 waits with a timeout, then returns nothing", () => {
    const t = terminal();
    t.tty.setTermios(raw(defaultTermios(), 0, 5));
    expect(t.tty.read(10)).toEqual({ kind: "block", timeoutDeciseconds: 5 });
    expect(t.readText(10, true)).toBe("");
  });

  it("VMIN>1 waits for enough bytes, VTIME as inter-byte timer", () => {
    const t = terminal();
    t.tty.setTermios(raw(defaultTermios(), 3, 2));
    t.tty.receive(bytes("ab"));
    expect(t.tty.read(10)).toEqual({ kind: "block", timeoutDeciseconds: 2 });
    expect(t.readText(10, true)).toBe("ab");
    t.tty.receive(bytes("cdef"));
    expect(t.readText(10)).toBe("cdef");
  });

  it("switching modes hands pending input over", () => {
    const t = terminal();
    t.tty.receive(bytes("partial"));
    t.tty.setTermios(raw(defaultTermios(), 1, 0));
    expect(t.readText()).toBe("partial");
    t.tty.receive(bytes("x\n"));
    t.tty.setTermios(defaultTermios());
    expect(t.readText()).toBe("x\n");
  });
});

describe("output", () => {
  it("maps NL to CR-NL with ONLCR and passes bytes raw without OPOST", () => {
    const t = terminal();
    t.tty.write(bytes("a\nb\n"));
    expect(t.echoed()).toBe("a\r\nb\r\n");
    t.clearEcho();
    t.tty.setTermios({ ...defaultTermios(), oflag: defaultTermios().oflag & ~OFlag.OPOST });
    t.tty.write(bytes("a\n"));
    expect(t.echoed()).toBe("a\n");
  });

  it("raises SIGWINCH when the window size changes", () => {
    const t = terminal();
    t.tty.winSize = { rows: 40, cols: 100, xpixel: 0, ypixel: 0 };
    t.tty.winSize = { rows: 40, cols: 100, xpixel: 0, ypixel: 0 };
    expect(t.signals).toEqual([Signal.SIGWINCH]);
  });
});
