/**
 * The bits of an x86-64 paging-structure entry (Intel SDM vol. 3, 4.5), shared by the MMU's
 * page walker, its tests and the page-table builder the CPU tests use. An entry is 64 bits;
 * the walker reads it as two little-endian 32-bit halves so that no BigInt is ever needed,
 * which is why the constants below are split into low-word and high-word masks.
 */

/** Flags in the low 32 bits of an entry. */
export const EntryLow = {
  Present: 1 << 0,
  Writable: 1 << 1,
  User: 1 << 2,
  WriteThrough: 1 << 3,
  CacheDisable: 1 << 4,
  Accessed: 1 << 5,
  Dirty: 1 << 6,
  /** PS: a 2 MiB page in a PDE, a 1 GiB page in a PDPTE, reserved in a PML4E. */
  PageSize: 1 << 7,
  Global: 1 << 8,
  /** Bits 12..31 of the physical address of the next table or of the page. */
  AddressMask: 0xffff_f000 | 0,
} as const;

/** Flags in the high 32 bits of an entry. */
export const EntryHigh = {
  /** XD (bit 63): no instruction fetch through this entry when EFER.NXE is on. */
  NoExecute: 1 << 31,
} as const;

/**
 * The board's physical-address width (MAXPHYADDR), as CPUID 0x80000008 should report it.
 * Entry bits from this width up to bit 51 are reserved and raise a reserved-bit page fault.
 */
export const PHYSICAL_ADDRESS_BITS = 40;

/** High-word mask of the reserved address bits MAXPHYADDR..51. */
export const RESERVED_HIGH_ADDRESS_BITS = (0x000f_ffff & ~((1 << (PHYSICAL_ADDRESS_BITS - 32)) - 1)) | 0;

/** High-word mask of the address bits 32..MAXPHYADDR-1. */
export const HIGH_ADDRESS_MASK = (1 << (PHYSICAL_ADDRESS_BITS - 32)) - 1;

/** Low-word bits 13..20, reserved in a PDE that maps a 2 MiB page. */
export const RESERVED_LOW_2M = 0x001f_e000;

/** Low-word bits 13..29, reserved in a PDPTE that maps a 1 GiB page. */
export const RESERVED_LOW_1G = 0x3fff_e000;

export const PAGE_SIZE = 4096;
export const PAGE_SIZE_2M = 0x20_0000;
export const PAGE_SIZE_1G = 0x4000_0000;

/** 2^32, to combine the two halves of an entry into a physical address. */
export const TWO_POW_32 = 0x1_0000_0000;

/** Bytes of the lower canonical half: user addresses are below 2^47. */
export const LOWER_HALF_END = 0x8000_0000_0000;

/** The first address of the upper canonical half, 2^64 - 2^47, as a double (exact). */
export const UPPER_HALF_START = 18446603336221196288;

/** 2^64, as a double (exact). */
export const TWO_POW_64 = 18446744073709551616;
