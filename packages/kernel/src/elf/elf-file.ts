/**
 * ELF64 parsing and validation for the executables the kernel can run: static (ET_EXEC) and
 * static-pie (ET_DYN without PT_INTERP) x86-64 programs.
 *
 * The bytes come from a user-supplied file, so nothing in them is trusted: every field that
 * later becomes an address, a size or a copy length is checked here, and every rejection is
 * an `ExecFormatError` (ENOEXEC, what execve returns) carrying a human-readable reason. After
 * `parseElf` succeeds, the load plan can do arithmetic on the result without re-checking.
 */

import { Errno, SyscallError } from "../errno.ts";
import { readU16, readU32, readU64, readU8 } from "../util/le-bytes.ts";

export const PAGE_SIZE = 4096;
/** First address above user space: canonical lower half of a 48-bit address space. */
export const USER_SPACE_END = 0x8000_0000_0000;

export const ElfType = { Exec: 2, Dyn: 3 } as const;
export const ProgramType = { Load: 1, Dynamic: 2, Interp: 3, Note: 4, Phdr: 6, Tls: 7, GnuStack: 0x6474e551 } as const;
/** p_flags bits. */
export const SegmentFlag = { Execute: 1, Write: 2, Read: 4 } as const;

const ELF_HEADER_SIZE = 64;
const PROGRAM_HEADER_SIZE = 56;
const EM_X86_64 = 62;
const MAX_PROGRAM_HEADERS = 65536 / PROGRAM_HEADER_SIZE;

/** ENOEXEC with the reason the file was refused. */
export class ExecFormatError extends SyscallError {
  readonly reason: string;

  constructor(reason: string) {
    super(Errno.ENOEXEC, reason);
    this.name = "ExecFormatError";
    this.reason = reason;
  }
}

export interface ProgramHeader {
  readonly type: number;
  readonly flags: number;
  readonly offset: number;
  readonly vaddr: number;
  readonly fileSize: number;
  readonly memSize: number;
  readonly align: number;
}

export interface TlsTemplate {
  readonly vaddr: number;
  readonly fileSize: number;
  readonly memSize: number;
  readonly align: number;
}

/** A validated executable. Addresses are link-time (before the static-pie load bias). */
export interface ElfExecutable {
  /** True for ET_DYN (static-pie): it must be loaded at a bias. */
  readonly positionIndependent: boolean;
  readonly entry: number;
  readonly programHeaderOffset: number;
  readonly programHeaderCount: number;
  /** Link-time address of the program headers in the loaded image, as AT_PHDR needs it. */
  readonly programHeaderVaddr: number;
  /** PT_LOAD segments with a non-zero size, ascending by address. */
  readonly loads: readonly ProgramHeader[];
  readonly tls: TlsTemplate | undefined;
  /** PT_GNU_STACK asks for an executable stack (or is absent, the historical default). */
  readonly executableStack: boolean;
  /** Largest PT_LOAD alignment (at least one page): the static-pie bias must honour it. */
  readonly maxAlign: number;
}

function readProgramHeader(bytes: Uint8Array, at: number): ProgramHeader {
  return {
    type: readU32(bytes, at),
    flags: readU32(bytes, at + 4),
    offset: readU64(bytes, at + 8),
    vaddr: readU64(bytes, at + 16),
    fileSize: readU64(bytes, at + 32),
    memSize: readU64(bytes, at + 40),
    align: readU64(bytes, at + 48),
  };
}

function isPowerOfTwoOrZero(value: number): boolean {
  return value === 0 || (Number.isSafeInteger(value) && value > 0 && 2 ** Math.round(Math.log2(value)) === value);
}

function checkFileRange(header: ProgramHeader, fileLength: number, what: string): void {
  if (!Number.isSafeInteger(header.offset) || !Number.isSafeInteger(header.fileSize)) {
    throw new ExecFormatError(`${what}: absurd file offset or size`);
  }
  if (header.offset + header.fileSize > fileLength) {
    throw new ExecFormatError(`${what}: file range ends beyond the end of the file`);
  }
}

function checkMemoryRange(header: ProgramHeader, what: string): void {
  if (!Number.isSafeInteger(header.vaddr) || !Number.isSafeInteger(header.memSize)) {
    throw new ExecFormatError(`${what}: absurd address or size`);
  }
  if (header.fileSize > header.memSize) throw new ExecFormatError(`${what}: file size exceeds memory size`);
  if (header.vaddr + header.memSize > USER_SPACE_END) {
    throw new ExecFormatError(`${what}: extends beyond user space`);
  }
}

function validateLoad(header: ProgramHeader, fileLength: number, index: number): void {
  const what = `PT_LOAD #${String(index)}`;
  checkFileRange(header, fileLength, what);
  checkMemoryRange(header, what);
  if (!isPowerOfTwoOrZero(header.align)) throw new ExecFormatError(`${what}: alignment is not a power of two`);
  if ((header.vaddr - header.offset) % PAGE_SIZE !== 0) {
    throw new ExecFormatError(`${what}: address and file offset are not congruent modulo the page size`);
  }
}

function validateHeaderIdent(bytes: Uint8Array): void {
  if (bytes.length < 4 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
    throw new ExecFormatError("not an ELF file (bad magic)");
  }
  if (bytes.length < ELF_HEADER_SIZE) throw new ExecFormatError("truncated ELF header");
  if (readU8(bytes, 4) !== 2) throw new ExecFormatError("not a 64-bit ELF file");
  if (readU8(bytes, 5) !== 1) throw new ExecFormatError("not a little-endian ELF file");
  if (readU8(bytes, 6) !== 1) throw new ExecFormatError("unknown ELF version");
}

/** Parses and validates an executable; throws `ExecFormatError` (ENOEXEC) on any defect. */
export function parseElf(bytes: Uint8Array): ElfExecutable {
  validateHeaderIdent(bytes);
  const type = readU16(bytes, 16);
  if (type !== ElfType.Exec && type !== ElfType.Dyn) throw new ExecFormatError(`not an executable (e_type ${String(type)})`);
  const machine = readU16(bytes, 18);
  if (machine !== EM_X86_64) throw new ExecFormatError(`wrong architecture (e_machine ${String(machine)}, want x86-64)`);
  const entry = readU64(bytes, 24);
  const programHeaderOffset = readU64(bytes, 32);
  const programHeaderSize = readU16(bytes, 54);
  const programHeaderCount = readU16(bytes, 56);
  if (programHeaderSize !== PROGRAM_HEADER_SIZE) throw new ExecFormatError("bad program header entry size");
  if (programHeaderCount === 0 || programHeaderCount > MAX_PROGRAM_HEADERS) {
    throw new ExecFormatError(`bad program header count ${String(programHeaderCount)}`);
  }
  const tableEnd = programHeaderOffset + programHeaderCount * PROGRAM_HEADER_SIZE;
  if (!Number.isSafeInteger(tableEnd) || tableEnd > bytes.length) throw new ExecFormatError("truncated program header table");

  const headers: ProgramHeader[] = [];
  for (let index = 0; index < programHeaderCount; index++) {
    headers.push(readProgramHeader(bytes, programHeaderOffset + index * PROGRAM_HEADER_SIZE));
  }
  return validateProgramHeaders(bytes.length, type === ElfType.Dyn, entry, programHeaderOffset, headers);
}

function validateProgramHeaders(
  fileLength: number,
  positionIndependent: boolean,
  entry: number,
  programHeaderOffset: number,
  headers: readonly ProgramHeader[],
): ElfExecutable {
  let tls: TlsTemplate | undefined;
  let executableStack = true;
  let phdrVaddr: number | undefined;
  const loads: ProgramHeader[] = [];
  for (const [index, header] of headers.entries()) {
    switch (header.type) {
      case ProgramType.Interp:
        throw new ExecFormatError("dynamically linked executables (PT_INTERP) are not supported");
      case ProgramType.Load:
        validateLoad(header, fileLength, index);
        if (header.memSize > 0) loads.push(header);
        break;
      case ProgramType.Tls:
        checkFileRange(header, fileLength, "PT_TLS");
        checkMemoryRange(header, "PT_TLS");
        if (!isPowerOfTwoOrZero(header.align)) throw new ExecFormatError("PT_TLS: alignment is not a power of two");
        tls = { vaddr: header.vaddr, fileSize: header.fileSize, memSize: header.memSize, align: Math.max(1, header.align) };
        break;
      case ProgramType.GnuStack:
        executableStack = (header.flags & SegmentFlag.Execute) !== 0;
        break;
      case ProgramType.Phdr:
        phdrVaddr = header.vaddr;
        break;
      default:
        break;
    }
  }
  if (loads.length === 0) throw new ExecFormatError("no loadable segment");
  loads.sort((a, b) => a.vaddr - b.vaddr);
  for (let index = 1; index < loads.length; index++) {
    const previous = loads[index - 1];
    const current = loads[index];
    if (previous !== undefined && current !== undefined && previous.vaddr + previous.memSize > current.vaddr) {
      throw new ExecFormatError("overlapping PT_LOAD segments");
    }
  }
  const entrySegment = loads.find((load) => entry >= load.vaddr && entry < load.vaddr + load.memSize);
  if (entrySegment === undefined || (entrySegment.flags & SegmentFlag.Execute) === 0) {
    throw new ExecFormatError("entry point is not inside an executable segment");
  }
  const programHeaderVaddr = phdrVaddr ?? programHeadersInImage(loads, programHeaderOffset, headers.length);
  const maxAlign = loads.reduce((align, load) => Math.max(align, load.align), PAGE_SIZE);
  return {
    positionIndependent,
    entry,
    programHeaderOffset,
    programHeaderCount: headers.length,
    programHeaderVaddr,
    loads,
    tls,
    executableStack,
    maxAlign,
  };
}

/**
 * Without PT_PHDR, the table is where a PT_LOAD maps its file offset; if no segment maps
 * it, Linux still reports the address the first segment's mapping implies.
 */
function programHeadersInImage(loads: readonly ProgramHeader[], programHeaderOffset: number, count: number): number {
  const tableSize = count * PROGRAM_HEADER_SIZE;
  const covering =
    loads.find((load) => programHeaderOffset >= load.offset && programHeaderOffset + tableSize <= load.offset + load.fileSize) ?? loads[0];
  if (covering === undefined) throw new ExecFormatError("no loadable segment");
  return covering.vaddr - covering.offset + programHeaderOffset;
}
