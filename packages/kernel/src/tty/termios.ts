/**
 * termios and winsize as the x86-64 kernel ABI encodes them, and the tty ioctl numbers.
 *
 * The kernel's `struct termios` (what TCGETS/TCSETS copy) is 36 bytes: four u32 flag words,
 * the line discipline byte and 19 control characters. glibc's larger user-space struct is
 * converted by the libc itself, so this is the only layout the kernel ever sees.
 */

import { readU16, readU32, readU8, writeU16, writeU32, writeU8 } from "../util/le-bytes.ts";

export const TtyIoctl = {
  TCGETS: 0x5401,
  TCSETS: 0x5402,
  TCSETSW: 0x5403,
  TCSETSF: 0x5404,
  TCFLSH: 0x540b,
  TIOCSCTTY: 0x540e,
  TIOCGPGRP: 0x540f,
  TIOCSPGRP: 0x5410,
  TIOCOUTQ: 0x5411,
  TIOCGWINSZ: 0x5413,
  TIOCSWINSZ: 0x5414,
  FIONREAD: 0x541b,
  TIOCNOTTY: 0x5422,
  TIOCGSID: 0x5429,
} as const;

/** Control-character indices into c_cc. */
export const Cc = {
  VINTR: 0,
  VQUIT: 1,
  VERASE: 2,
  VKILL: 3,
  VEOF: 4,
  VTIME: 5,
  VMIN: 6,
  VSWTC: 7,
  VSTART: 8,
  VSTOP: 9,
  VSUSP: 10,
  VEOL: 11,
  VREPRINT: 12,
  VDISCARD: 13,
  VWERASE: 14,
  VLNEXT: 15,
  VEOL2: 16,
} as const;

export const NCCS = 19;
export const TERMIOS_SIZE = 36;
export const WINSIZE_SIZE = 8;

export const IFlag = { IGNBRK: 0o1, BRKINT: 0o2, INLCR: 0o100, IGNCR: 0o200, ICRNL: 0o400, IXON: 0o2000, IUTF8: 0o40000 } as const;
export const OFlag = { OPOST: 0o1, ONLCR: 0o4, OCRNL: 0o10 } as const;
export const CFlag = { B38400: 0o17, CS8: 0o60, CREAD: 0o200, HUPCL: 0o2000 } as const;
export const LFlag = {
  ISIG: 0o1,
  ICANON: 0o2,
  ECHO: 0o10,
  ECHOE: 0o20,
  ECHOK: 0o40,
  ECHONL: 0o100,
  NOFLSH: 0o200,
  TOSTOP: 0o400,
  ECHOCTL: 0o1000,
  ECHOKE: 0o4000,
  IEXTEN: 0o100000,
} as const;

export interface Termios {
  readonly iflag: number;
  readonly oflag: number;
  readonly cflag: number;
  readonly lflag: number;
  readonly line: number;
  /** NCCS control characters. */
  readonly cc: readonly number[];
}

export interface WinSize {
  readonly rows: number;
  readonly cols: number;
  readonly xpixel: number;
  readonly ypixel: number;
}

/** Linux's `tty_std_termios`: cooked mode with echo and signals, 38400 8N1. */
export function defaultTermios(): Termios {
  return {
    iflag: IFlag.ICRNL | IFlag.IXON | IFlag.IUTF8,
    oflag: OFlag.OPOST | OFlag.ONLCR,
    cflag: CFlag.B38400 | CFlag.CS8 | CFlag.CREAD | CFlag.HUPCL,
    lflag: LFlag.ISIG | LFlag.ICANON | LFlag.ECHO | LFlag.ECHOE | LFlag.ECHOK | LFlag.ECHOCTL | LFlag.ECHOKE | LFlag.IEXTEN,
    line: 0,
    // ^C ^\ DEL ^U ^D VTIME=0 VMIN=1 - ^Q ^S ^Z - ^R ^O ^W ^V -
    cc: [0o3, 0o34, 0o177, 0o25, 0o4, 0, 1, 0, 0o21, 0o23, 0o32, 0, 0o22, 0o17, 0o27, 0o26, 0, 0, 0],
  };
}

export function encodeTermios(termios: Termios): Uint8Array {
  const bytes = new Uint8Array(TERMIOS_SIZE);
  writeU32(bytes, 0, termios.iflag);
  writeU32(bytes, 4, termios.oflag);
  writeU32(bytes, 8, termios.cflag);
  writeU32(bytes, 12, termios.lflag);
  writeU8(bytes, 16, termios.line);
  for (let index = 0; index < NCCS; index++) writeU8(bytes, 17 + index, termios.cc[index] ?? 0);
  return bytes;
}

export function decodeTermios(bytes: Uint8Array): Termios {
  if (bytes.length < TERMIOS_SIZE) throw new RangeError("short termios");
  return {
    iflag: readU32(bytes, 0),
    oflag: readU32(bytes, 4),
    cflag: readU32(bytes, 8),
    lflag: readU32(bytes, 12),
    line: readU8(bytes, 16),
    cc: Array.from({ length: NCCS }, (_, index) => readU8(bytes, 17 + index)),
  };
}

export function encodeWinSize(size: WinSize): Uint8Array {
  const bytes = new Uint8Array(WINSIZE_SIZE);
  writeU16(bytes, 0, size.rows);
  writeU16(bytes, 2, size.cols);
  writeU16(bytes, 4, size.xpixel);
  writeU16(bytes, 6, size.ypixel);
  return bytes;
}

export function decodeWinSize(bytes: Uint8Array): WinSize {
  if (bytes.length < WINSIZE_SIZE) throw new RangeError("short winsize");
  return { rows: readU16(bytes, 0), cols: readU16(bytes, 2), xpixel: readU16(bytes, 4), ypixel: readU16(bytes, 6) };
}
