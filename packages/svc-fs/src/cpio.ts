/**
 * A strict reader for cpio "newc" archives (magic 070701, and 070702 whose entries carry a
 * checksum of their data), the format of Linux initramfs images. Archives come from outside
 * the kernel, so every length, hex digit and terminator is checked and any defect throws a
 * `CpioError` naming the byte offset; nothing here can crash on hostile input. Archives may
 * be concatenated, with zero padding between them, as Linux accepts.
 */
import { bytesToPath } from "./bytes.ts";

export class CpioError extends Error {
  /** Byte offset in the archive where the defect was found. */
  readonly offset: number;

  constructor(message: string, offset: number) {
    super(`cpio: ${message} (at byte ${String(offset)})`);
    this.name = "CpioError";
    this.offset = offset;
  }
}

export interface CpioEntry {
  /** The name exactly as stored (byte string, without the NUL). */
  readonly name: string;
  readonly ino: number;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly nlink: number;
  readonly mtime: number;
  readonly devMajor: number;
  readonly devMinor: number;
  readonly rdevMajor: number;
  readonly rdevMinor: number;
  readonly data: Uint8Array;
  /** Offset of the entry's header in the archive, for error messages. */
  readonly offset: number;
}

const HEADER_SIZE = 110;
const TRAILER = "TRAILER!!!";
const FIELDS = ["ino", "mode", "uid", "gid", "nlink", "mtime", "filesize", "devMajor", "devMinor", "rdevMajor", "rdevMinor", "namesize", "check"] as const;
type Field = (typeof FIELDS)[number];

function align4(value: number): number {
  return (value + 3) & ~3;
}

function hexDigit(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x41 + 10;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x61 + 10;
  return -1;
}

function readHeader(archive: Uint8Array, offset: number): { header: Record<Field, number>; withChecksum: boolean } {
  if (offset + HEADER_SIZE > archive.length) throw new CpioError("truncated header", offset);
  const magic = bytesToPath(archive.subarray(offset, offset + 6));
  if (magic !== "070701" && magic !== "070702") {
    throw new CpioError(`bad magic ${JSON.stringify(magic)} (only newc 070701/070702 is supported)`, offset);
  }
  const header: Record<Field, number> = {
    ino: 0, mode: 0, uid: 0, gid: 0, nlink: 0, mtime: 0, filesize: 0,
    devMajor: 0, devMinor: 0, rdevMajor: 0, rdevMinor: 0, namesize: 0, check: 0,
  };
  FIELDS.forEach((field, index) => {
    const start = offset + 6 + index * 8;
    let value = 0;
    for (let position = start; position < start + 8; position += 1) {
      const digit = hexDigit(archive[position] ?? 0);
      if (digit < 0) throw new CpioError(`bad hex digit in field ${field}`, position);
      value = value * 16 + digit;
    }
    header[field] = value;
  });
  return { header, withChecksum: magic === "070702" };
}

/** Skips the zero padding that may separate concatenated archives; returns the next offset. */
function skipPadding(archive: Uint8Array, offset: number): number {
  let position = offset;
  while (position < archive.length && archive[position] === 0) position += 1;
  return position;
}

/** Every entry of the archive(s), in order, without the trailers. */
export function parseCpio(archive: Uint8Array): CpioEntry[] {
  const entries: CpioEntry[] = [];
  let offset = 0;
  let sawTrailer = false;
  while (offset < archive.length) {
    if (sawTrailer) {
      offset = skipPadding(archive, offset);
      if (offset >= archive.length) break;
      if ((offset & 3) !== 0) throw new CpioError("misaligned archive after trailer", offset);
      sawTrailer = false;
    }
    const entryOffset = offset;
    const { header, withChecksum } = readHeader(archive, entryOffset);
    const nameStart = offset + HEADER_SIZE;
    const nameEnd = nameStart + header.namesize;
    if (header.namesize === 0) throw new CpioError("empty name", offset);
    if (nameEnd > archive.length) throw new CpioError("truncated name", offset);
    if (archive[nameEnd - 1] !== 0) throw new CpioError("name is not NUL-terminated", nameStart);
    const nameBytes = archive.subarray(nameStart, nameEnd - 1);
    if (nameBytes.includes(0)) throw new CpioError("NUL inside name", nameStart);
    const name = bytesToPath(nameBytes);
    const dataStart = align4(nameEnd);
    const dataEnd = dataStart + header.filesize;
    if (dataEnd > archive.length) throw new CpioError(`truncated data of ${JSON.stringify(name)}`, dataStart);
    const data = archive.subarray(dataStart, dataEnd);
    if (withChecksum && name !== TRAILER) {
      let sum = 0;
      for (const byte of data) sum = (sum + byte) >>> 0;
      if (sum !== header.check) throw new CpioError(`checksum mismatch for ${JSON.stringify(name)}`, offset);
    }
    offset = align4(dataEnd);
    if (name === TRAILER) {
      sawTrailer = true;
      continue;
    }
    entries.push({
      name,
      ino: header.ino,
      mode: header.mode,
      uid: header.uid,
      gid: header.gid,
      nlink: header.nlink,
      mtime: header.mtime,
      devMajor: header.devMajor,
      devMinor: header.devMinor,
      rdevMajor: header.rdevMajor,
      rdevMinor: header.rdevMinor,
      data,
      offset: entryOffset,
    });
  }
  if (!sawTrailer) throw new CpioError("archive ends without TRAILER!!!", archive.length);
  return entries;
}
