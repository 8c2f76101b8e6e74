/**
 * getdents64 record encoding (`struct linux_dirent64`): d_ino u64, d_off s64, d_reclen u16,
 * d_type u8, then the NUL-terminated name, each record padded to 8 bytes.
 */
import { writeI64, writeU16 } from "./bytes.ts";
import type { DirEntry } from "./inode.ts";

const HEADER_SIZE = 19;

export function direntRecordSize(name: string): number {
  return (HEADER_SIZE + name.length + 1 + 7) & ~7;
}

/** Encodes the records in order, each `direntRecordSize(name)` bytes long. */
export function encodeDirents(entries: readonly DirEntry[]): Uint8Array {
  let total = 0;
  for (const entry of entries) total += direntRecordSize(entry.name);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const entry of entries) {
    const size = direntRecordSize(entry.name);
    writeI64(out, offset, entry.ino);
    writeI64(out, offset + 8, entry.next);
    writeU16(out, offset + 16, size);
    out[offset + 18] = entry.type;
    for (let char = 0; char < entry.name.length; char += 1) {
      out[offset + HEADER_SIZE + char] = entry.name.charCodeAt(char) & 0xff;
    }
    offset += size;
  }
  return out;
}
