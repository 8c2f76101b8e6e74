/**
 * Reading C strings and string arrays (paths, argv, envp) out of user memory, with the
 * limits Linux applies: PATH_MAX for paths (ENAMETOOLONG), the argument limit for execve
 * (E2BIG), and EFAULT for any unreadable byte.
 */

import { bytesToPath } from "@asterism/svc-fs";
import { Errno, SyscallError } from "../errno.ts";
import { readU64 } from "../util/le-bytes.ts";
import type { AddressSpace } from "./address-space.ts";

export const PATH_MAX = 4096;
const MAX_ARGUMENTS = 0x7fff_ffff;
const CHUNK = 256;

/** Reads a NUL-terminated string of at most `limit` bytes (without the NUL). */
export async function readCString(space: AddressSpace, address: number, limit: number, tooLong: Errno = Errno.ENAMETOOLONG): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let length = 0;
  while (length <= limit) {
    const pageLeft = 4096 - ((address + length) % 4096);
    const chunk = await space.read(address + length, Math.min(CHUNK, pageLeft));
    const nul = chunk.indexOf(0);
    const piece = nul < 0 ? chunk : chunk.subarray(0, nul);
    parts.push(piece);
    length += piece.length;
    if (nul >= 0) {
      if (length > limit) break;
      const out = new Uint8Array(length);
      let offset = 0;
      for (const part of parts) {
        out.set(part, offset);
        offset += part.length;
      }
      return out;
    }
  }
  throw new SyscallError(tooLong, "string too long");
}

/** A path argument: EFAULT for a bad pointer, ENOENT for "", ENAMETOOLONG past PATH_MAX. */
export async function readPath(space: AddressSpace, address: number, allowEmpty = false): Promise<string> {
  const bytes = await readCString(space, address, PATH_MAX - 1);
  if (bytes.length === 0 && !allowEmpty) throw new SyscallError(Errno.ENOENT, "empty path");
  return bytesToPath(bytes);
}

/** A NULL-terminated array of string pointers (argv, envp); a NULL array is empty. */
export async function readStringArray(space: AddressSpace, address: number, byteLimit: number): Promise<Uint8Array[]> {
  const strings: Uint8Array[] = [];
  if (address === 0) return strings;
  let total = 0;
  for (let index = 0; index < MAX_ARGUMENTS; index++) {
    const pointer = readU64(await space.read(address + index * 8, 8), 0);
    if (pointer === 0) return strings;
    const value = await readCString(space, pointer, byteLimit - total, Errno.E2BIG);
    total += value.length + 1 + 8;
    if (total > byteLimit) throw new SyscallError(Errno.E2BIG, "argument list too long");
    strings.push(value);
  }
  throw new SyscallError(Errno.E2BIG, "argument list too long");
}
