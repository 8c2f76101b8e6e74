/**
 * Memory syscalls: brk, mmap (anonymous and private file mappings, paged in on demand),
 * munmap, mprotect and the advisory calls. Shared file mappings are mapped privately: a
 * write through them does not reach the file (documented limitation).
 */

import { Errno, SyscallError } from "../errno.ts";
import { PAGE_SIZE, USER_SPACE_END } from "../elf/elf-file.ts";
import { pageUp, Prot } from "../elf/load-plan.ts";
import type { Kernel } from "../kernel.ts";
import { MMAP_CEILING, MMAP_FLOOR } from "../mm/address-space.ts";
import type { AreaBacking } from "../mm/vm-areas.ts";
import type { Process } from "../process/process.ts";
import type { SyscallArgs } from "./args.ts";
import { Sys } from "./numbers.ts";

export const MapFlag = { SHARED: 0x1, PRIVATE: 0x2, FIXED: 0x10, ANONYMOUS: 0x20, FIXED_NOREPLACE: 0x10_0000 } as const;
const PROT_MASK = Prot.Read | Prot.Write | Prot.Exec;
const PROT_GROWSDOWN = 0x0100_0000;
const PROT_GROWSUP = 0x0200_0000;
const O_ACCMODE = 3;
const O_WRONLY = 1;

function checkAligned(address: number): void {
  if (!Number.isSafeInteger(address) || address % PAGE_SIZE !== 0) throw new SyscallError(Errno.EINVAL, "unaligned address");
}

function checkRange(address: number, length: number): number {
  checkAligned(address);
  if (!Number.isSafeInteger(length) || length <= 0) throw new SyscallError(Errno.EINVAL, "bad length");
  const end = address + pageUp(length);
  if (end > USER_SPACE_END) throw new SyscallError(Errno.ENOMEM, "range beyond user space");
  return end;
}

async function fileBacking(process: Process, fd: number, offset: number, length: number): Promise<{ backing: AreaBacking; name: string }> {
  const file = process.files.get(fd);
  if ((file.flags & O_ACCMODE) === O_WRONLY) throw new SyscallError(Errno.EACCES, "file not open for reading");
  const kind = file.inode.kind;
  if (kind !== "regular") throw new SyscallError(Errno.ENODEV, "only regular files can be mapped");
  const bytes = await file.pread(offset, length);
  return { backing: { bytes, offset: 0, length: bytes.length }, name: file.pathName };
}

function placeMapping(process: Process, hint: number, length: number, flags: number): number {
  const areas = process.space.areas;
  if ((flags & (MapFlag.FIXED | MapFlag.FIXED_NOREPLACE)) !== 0) {
    const end = checkRange(hint, length);
    if ((flags & MapFlag.FIXED_NOREPLACE) !== 0 && !areas.isFree(hint, end)) throw new SyscallError(Errno.EEXIST, "range in use");
    return hint;
  }
  if (hint !== 0 && hint % PAGE_SIZE === 0 && hint >= MMAP_FLOOR && hint + length <= MMAP_CEILING && areas.isFree(hint, hint + length)) {
    return hint;
  }
  const start = areas.findFree(length, Math.max(MMAP_FLOOR, process.space.brk + 0x100_0000), MMAP_CEILING);
  if (start === undefined) throw new SyscallError(Errno.ENOMEM, "no room for the mapping");
  return start;
}

async function mmap(process: Process, args: SyscallArgs): Promise<number> {
  const hint = args.unsigned(0);
  const requested = args.unsigned(1);
  const prot = args.u32(2);
  const flags = args.u32(3);
  const offset = args.long(5);
  if (!Number.isSafeInteger(requested) || requested === 0) throw new SyscallError(Errno.EINVAL, "zero length");
  if ((prot & ~PROT_MASK) !== 0) throw new SyscallError(Errno.EINVAL, "bad protection");
  if ((flags & (MapFlag.SHARED | MapFlag.PRIVATE)) === 0) throw new SyscallError(Errno.EINVAL, "neither shared nor private");
  if (offset < 0 || offset % PAGE_SIZE !== 0) throw new SyscallError(Errno.EINVAL, "unaligned offset");
  const length = pageUp(requested);
  if (length > USER_SPACE_END) throw new SyscallError(Errno.ENOMEM, "too large");
  const file = (flags & MapFlag.ANONYMOUS) === 0 ? await fileBacking(process, args.int(4), offset, length) : undefined;
  const start = placeMapping(process, hint, length, flags);
  process.space.map({ start, end: start + length, prot, backing: file?.backing, name: file?.name ?? "" });
  return start;
}

export function registerMemorySyscalls(kernel: Kernel): void {
  const table = kernel.syscalls;
  table.register(Sys.brk, (process, args) => process.space.setBrk(args.unsigned(0)));
  table.register(Sys.mmap, (process, args) => mmap(process, args));
  table.register(Sys.munmap, (process, args) => {
    const start = args.unsigned(0);
    process.space.unmap(start, checkRange(start, args.unsigned(1)));
    return 0;
  });
  table.register(Sys.mprotect, (process, args) => {
    const start = args.unsigned(0);
    const prot = args.u32(2);
    if ((prot & ~(PROT_MASK | PROT_GROWSDOWN | PROT_GROWSUP)) !== 0) throw new SyscallError(Errno.EINVAL, "bad protection");
    if (args.unsigned(1) === 0) return 0;
    process.space.protect(start, checkRange(start, args.unsigned(1)), prot & PROT_MASK);
    return 0;
  });
  table.register(Sys.madvise, (_process, args) => {
    checkAligned(args.unsigned(0));
    return 0;
  });
}
