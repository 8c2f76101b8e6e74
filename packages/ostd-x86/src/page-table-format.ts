/**
 * The x86-64 page-table entry format (Intel SDM vol. 3, 4.5), as OSTD's arch-neutral
 * page-table code needs it. Entries are handled as two 32-bit halves.
 *
 * Intermediate entries grant everything (present, writable, user) so that the leaf alone
 * decides access. A page with no access at all (PROT_NONE) keeps its frame in the entry
 * with the present bit clear and an OS-available bit set: the hardware faults on it, yet
 * OSTD still knows (and keeps a reference to) the frame.
 */
import { PageFlags, PageStatus, type PageTableFormat } from "@asterism/ostd";

const PRESENT = 1;
const WRITABLE = 2;
const USER = 4;
const ACCESSED = 1 << 5;
const DIRTY = 1 << 6;
/** Bit 9, available to software: a mapping without any access. */
const NO_ACCESS = 1 << 9;
/** NX is bit 63: bit 31 of the high half. */
const NO_EXECUTE_HIGH = 1 << 31;
const ADDRESS_LOW_MASK = 0xffff_f000;
const ADDRESS_HIGH_MASK = 0x000f_ffff;
const TWO_32 = 0x1_0000_0000;

function high(address: number): number {
  return Math.floor(address / TWO_32) & ADDRESS_HIGH_MASK;
}

export const x86PageTableFormat: PageTableFormat = {
  levels: 4,
  indexBits: 9,
  userLimit: 2 ** 47,

  tableLo(tablePhys: number): number {
    return ((tablePhys & ADDRESS_LOW_MASK) | PRESENT | WRITABLE | USER) | 0;
  },
  tableHi(tablePhys: number): number {
    return high(tablePhys);
  },
  leafLo(framePhys: number, flags: number): number {
    const address = framePhys & ADDRESS_LOW_MASK;
    if ((flags & (PageFlags.Read | PageFlags.Write | PageFlags.Exec)) === 0) return (address | NO_ACCESS) | 0;
    return (address | PRESENT | USER | ((flags & PageFlags.Write) !== 0 ? WRITABLE : 0)) | 0;
  },
  leafHi(framePhys: number, flags: number): number {
    return (high(framePhys) | ((flags & PageFlags.Exec) === 0 ? NO_EXECUTE_HIGH : 0)) | 0;
  },
  isPresent(lo: number): boolean {
    return (lo & (PRESENT | NO_ACCESS)) !== 0;
  },
  address(lo: number, hi: number): number {
    return ((lo & ADDRESS_LOW_MASK) >>> 0) + (hi & ADDRESS_HIGH_MASK) * TWO_32;
  },
  flags(lo: number, hi: number): number {
    if ((lo & PRESENT) === 0) return 0;
    return PageFlags.Read | ((lo & WRITABLE) !== 0 ? PageFlags.Write : 0) | ((hi & NO_EXECUTE_HIGH) === 0 ? PageFlags.Exec : 0);
  },
  status(lo: number): number {
    return ((lo & ACCESSED) !== 0 ? PageStatus.Accessed : 0) | ((lo & DIRTY) !== 0 ? PageStatus.Dirty : 0);
  },
};
