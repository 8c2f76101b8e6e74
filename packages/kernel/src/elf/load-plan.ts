/**
 * The load plan: how a validated executable becomes a user address space.
 *
 * It turns PT_LOAD segments into page-aligned mappings with protections, the file bytes to
 * copy into them, the zero-fill (bss) ranges, the initial program break and the auxv facts
 * (AT_PHDR, AT_ENTRY, AT_BASE). It is pure arithmetic over `parseElf`'s output, so execve's
 * memory layout is unit-tested without any memory at all; the process code then carries the
 * plan out with OSTD's VmSpace.
 */

import { PAGE_SIZE, SegmentFlag, USER_SPACE_END, type ElfExecutable, ExecFormatError } from "./elf-file.ts";

/** Protection bits, as mmap/mprotect use them. */
export const Prot = { None: 0, Read: 1, Write: 2, Exec: 4 } as const;

/** Where Linux puts static-pie executables on x86-64 (ELF_ET_DYN_BASE, page aligned). */
export const DEFAULT_PIE_BASE = 0x5555_5555_4000;

export interface SegmentMapping {
  /**
   * Page-aligned start of the mapping. When segments share a page, the earlier mapping owns
   * it and this one starts at the next page; carry the mappings out in order.
   */
  readonly start: number;
  /** Page-aligned end (exclusive). */
  readonly end: number;
  /** `Prot` bits. */
  readonly prot: number;
  /** Copy `copyLength` bytes from the file at `fileOffset` to address `copyTo`. */
  readonly fileOffset: number;
  readonly copyTo: number;
  readonly copyLength: number;
  /** Bytes in [zeroFrom, end) must read as zero (bss and the tail of the last file page). */
  readonly zeroFrom: number;
}

export interface LoadPlan {
  /** Added to every link-time address (0 for ET_EXEC). */
  readonly bias: number;
  readonly entry: number;
  readonly programHeaderAddress: number;
  readonly programHeaderCount: number;
  readonly mappings: readonly SegmentMapping[];
  /** Initial program break: the page after the highest segment. */
  readonly brkStart: number;
  readonly executableStack: boolean;
  /** The TLS template's address after biasing, for diagnostics (the libc sets up TLS itself). */
  readonly tlsTemplateAddress: number | undefined;
}

export function pageDown(address: number): number {
  return address - (address % PAGE_SIZE);
}

export function pageUp(address: number): number {
  const remainder = address % PAGE_SIZE;
  return remainder === 0 ? address : address + PAGE_SIZE - remainder;
}

function protOf(flags: number): number {
  return (
    ((flags & SegmentFlag.Read) !== 0 ? Prot.Read : 0) |
    ((flags & SegmentFlag.Write) !== 0 ? Prot.Write : 0) |
    ((flags & SegmentFlag.Execute) !== 0 ? Prot.Exec : 0)
  );
}

/**
 * Plans the loading of `executable`. For static-pie, `pieBase` is the wanted bias; it is
 * rounded up to the executable's largest segment alignment.
 */
export function planLoad(executable: ElfExecutable, pieBase: number = DEFAULT_PIE_BASE): LoadPlan {
  const bias = executable.positionIndependent ? alignUp(pieBase, executable.maxAlign) - pageDown(firstLoadAddress(executable)) : 0;
  const mappings: SegmentMapping[] = [];
  let highest = 0;
  for (const load of executable.loads) {
    const begin = load.vaddr + bias;
    const end = begin + load.memSize;
    if (end > USER_SPACE_END || begin < PAGE_SIZE) throw new ExecFormatError("segment does not fit in user space at this bias");
    let start = pageDown(begin);
    const previous = mappings.at(-1);
    if (previous !== undefined && start < previous.end) {
      // Old linker layouts let two segments share a page: it gets both protections.
      mappings[mappings.length - 1] = { ...previous, prot: previous.prot | protOf(load.flags) };
      start = previous.end;
    }
    mappings.push({
      start,
      end: pageUp(end),
      prot: protOf(load.flags),
      fileOffset: load.offset,
      copyTo: begin,
      copyLength: load.fileSize,
      zeroFrom: begin + load.fileSize,
    });
    highest = Math.max(highest, end);
  }
  return {
    bias,
    entry: executable.entry + bias,
    programHeaderAddress: executable.programHeaderVaddr + bias,
    programHeaderCount: executable.programHeaderCount,
    mappings,
    brkStart: pageUp(highest),
    executableStack: executable.executableStack,
    tlsTemplateAddress: executable.tls === undefined ? undefined : executable.tls.vaddr + bias,
  };
}

function firstLoadAddress(executable: ElfExecutable): number {
  const first = executable.loads[0];
  return first === undefined ? 0 : first.vaddr;
}

function alignUp(value: number, alignment: number): number {
  const remainder = value % alignment;
  return remainder === 0 ? value : value + alignment - remainder;
}
