/**
 * The initial user stack image that execve leaves for a new program, as the x86-64 SysV ABI
 * and Linux define it: RSP points at argc, then argv pointers and NULL, envp pointers and
 * NULL, auxv (type, value) pairs ending with AT_NULL, padding, and at the top an information
 * block holding the strings, the 16 AT_RANDOM bytes and the platform and execfn strings.
 *
 * The builder is pure: it returns the bytes and the address where they go, and the process
 * code writes them into the new address space. Which auxv entries glibc and musl need is in
 * the design notes (x86-linux-notes.md §4); this module always supplies the recommended set.
 */

import { Errno, SyscallError } from "../errno.ts";
import { PAGE_SIZE } from "./elf-file.ts";
import type { LoadPlan } from "./load-plan.ts";
import { writeI64 } from "../util/le-bytes.ts";

/** Auxiliary vector types (uapi linux/auxvec.h). */
export const AuxType = {
  Null: 0,
  Phdr: 3,
  Phent: 4,
  Phnum: 5,
  Pagesz: 6,
  Base: 7,
  Flags: 8,
  Entry: 9,
  Uid: 11,
  Euid: 12,
  Gid: 13,
  Egid: 14,
  Platform: 15,
  Hwcap: 16,
  Clktck: 17,
  Secure: 23,
  Random: 25,
  Hwcap2: 26,
  Execfn: 31,
  MinSigStkSz: 51,
} as const;

export interface Credentials {
  readonly uid: number;
  readonly euid: number;
  readonly gid: number;
  readonly egid: number;
}

export interface StackRequest {
  /** Exclusive top of the stack region (page aligned). */
  readonly stackTop: number;
  /** Argument strings, without their terminating NUL. */
  readonly argv: readonly Uint8Array[];
  readonly envp: readonly Uint8Array[];
  /** The path execve was given (AT_EXECFN). */
  readonly execfn: Uint8Array;
  /** 16 bytes of randomness for AT_RANDOM (the libc's stack protector and pointer guard). */
  readonly random: Uint8Array;
  readonly plan: LoadPlan;
  readonly credentials: Credentials;
  /** CPUID.1:EDX as the CPU reports it. */
  readonly hwcap: number;
  /** Most bytes the strings and pointer tables may take (Linux: a quarter of RLIMIT_STACK). */
  readonly sizeLimit: number;
}

export interface StackImage {
  /** The lowest address of the image; `bytes` go at [start, stackTop). */
  readonly start: number;
  readonly bytes: Uint8Array;
  /** The initial RSP: 16-byte aligned, pointing at argc. */
  readonly stackPointer: number;
  /** Addresses of the argv array and envp array (for diagnostics and tests). */
  readonly argvAddress: number;
  readonly envpAddress: number;
}

const PLATFORM = Uint8Array.from([0x78, 0x38, 0x36, 0x5f, 0x36, 0x34]); // "x86_64"
const ELF_PROGRAM_HEADER_SIZE = 56;
const CLOCK_TICKS_PER_SECOND = 100;
/** Linux's x86 MINSIGSTKSZ for an FXSAVE-only frame. */
const MIN_SIGNAL_STACK_SIZE = 2048;

/** Places NUL-terminated strings downward from `top`; returns each string's address. */
class StringArea {
  readonly #top: number;
  #cursor: number;
  readonly #pieces: { address: number; bytes: Uint8Array }[] = [];

  constructor(top: number) {
    this.#top = top;
    this.#cursor = top;
  }

  push(bytes: Uint8Array, terminate: boolean): number {
    this.#cursor -= bytes.length + (terminate ? 1 : 0);
    this.#pieces.push({ address: this.#cursor, bytes });
    return this.#cursor;
  }

  reserve(size: number): void {
    this.#cursor -= size;
  }

  get bottom(): number {
    return this.#cursor;
  }

  copyInto(image: Uint8Array, imageStart: number): void {
    for (const piece of this.#pieces) image.set(piece.bytes, piece.address - imageStart);
  }

  get size(): number {
    return this.#top - this.#cursor;
  }
}

function auxvOf(request: StackRequest, randomAddress: number, platformAddress: number, execfnAddress: number): number[] {
  const { plan, credentials } = request;
  return [
    AuxType.Phdr, plan.programHeaderAddress,
    AuxType.Phent, ELF_PROGRAM_HEADER_SIZE,
    AuxType.Phnum, plan.programHeaderCount,
    AuxType.Pagesz, PAGE_SIZE,
    AuxType.Base, 0,
    AuxType.Flags, 0,
    AuxType.Entry, plan.entry,
    AuxType.Uid, credentials.uid,
    AuxType.Euid, credentials.euid,
    AuxType.Gid, credentials.gid,
    AuxType.Egid, credentials.egid,
    AuxType.Secure, 0,
    AuxType.Clktck, CLOCK_TICKS_PER_SECOND,
    AuxType.Hwcap, request.hwcap >>> 0,
    AuxType.Hwcap2, 0,
    AuxType.MinSigStkSz, MIN_SIGNAL_STACK_SIZE,
    AuxType.Random, randomAddress,
    AuxType.Execfn, execfnAddress,
    AuxType.Platform, platformAddress,
    AuxType.Null, 0,
  ];
}

/** Builds the stack image; throws E2BIG when arguments and environment exceed the limit. */
export function buildInitialStack(request: StackRequest): StackImage {
  if (request.random.length !== 16) throw new RangeError("AT_RANDOM needs exactly 16 bytes");
  const strings = new StringArea(request.stackTop);
  strings.reserve(8); // Linux keeps a NULL word at the very top.
  const execfnAddress = strings.push(request.execfn, true);
  const envAddresses = request.envp.map((entry) => strings.push(entry, true));
  const argAddresses = request.argv.map((entry) => strings.push(entry, true));
  const platformAddress = strings.push(PLATFORM, true);
  const randomAddress = strings.push(request.random, false);

  const auxv = auxvOf(request, randomAddress, platformAddress, execfnAddress);
  const words = [request.argv.length, ...argAddresses, 0, ...envAddresses, 0, ...auxv];
  const tableSize = words.length * 8;
  if (strings.size + tableSize + 16 > request.sizeLimit) {
    throw new SyscallError(Errno.E2BIG, "arguments and environment too large");
  }

  const stackPointer = alignDown16(strings.bottom - tableSize);
  const start = stackPointer;
  const bytes = new Uint8Array(request.stackTop - start);
  for (const [index, word] of words.entries()) writeI64(bytes, stackPointer - start + index * 8, word);
  strings.copyInto(bytes, start);
  return {
    start,
    bytes,
    stackPointer,
    argvAddress: stackPointer + 8,
    envpAddress: stackPointer + 8 * (request.argv.length + 2),
  };
}

function alignDown16(address: number): number {
  return address - (address % 16);
}
