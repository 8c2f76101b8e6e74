/**
 * The architecture interface: what the arch-neutral framework needs from an ISA port.
 *
 * OSTD holds every policy that keeps services away from the machine (frame metadata, page
 * table walking, which I/O ranges are sensitive, the scheduler's double checks); an arch
 * port such as `@asterism/ostd-x86` supplies only mechanisms: how a page-table entry is
 * encoded, how to enter user mode, how to acknowledge an interrupt. The port builds one
 * `Arch` object at boot and hands it to `startKernel`, which accepts it exactly once.
 * Nothing here is reachable from services: `@asterism/ostd`'s public entry exports the
 * types only, and the installed object lives in a module-private variable.
 */

/** A region of the physical memory map, in the arch-neutral vocabulary. */
export const MemoryRegionKind = {
  Usable: "usable",
  Reserved: "reserved",
  AcpiReclaimable: "acpi",
  BootInfo: "boot-info",
  Initramfs: "initramfs",
  Mmio: "mmio",
} as const;
export type MemoryRegionKind = (typeof MemoryRegionKind)[keyof typeof MemoryRegionKind];

export interface PhysRegion {
  readonly base: number;
  readonly length: number;
}

export interface MemoryRegion extends PhysRegion {
  readonly kind: MemoryRegionKind;
}

/** What the boot loader told the kernel. */
export interface ArchBootInfo {
  readonly commandLine: string;
  readonly memoryRegions: readonly MemoryRegion[];
  /** Where the loader placed the initramfs, if it did. */
  readonly initramfs: PhysRegion | undefined;
}

/**
 * Page-table entry encoding. Entries are 64-bit and handled as two 32-bit halves (`lo`,
 * `hi`) so that no BigInt is needed; OSTD itself walks, allocates and frees the tables.
 */
export interface PageTableFormat {
  /** Number of levels (4 on x86-64); level `levels` is the root. */
  readonly levels: number;
  /** Index bits per level (9 on x86-64), so a table holds `2 ** indexBits` entries. */
  readonly indexBits: number;
  /** Exclusive upper bound of user virtual addresses. */
  readonly userLimit: number;
  /** Low half of an entry that points to a next-level table at `tablePhys`. */
  tableLo(tablePhys: number): number;
  tableHi(tablePhys: number): number;
  /** Halves of a 4 KiB leaf entry mapping `framePhys` with `PageFlags` bits `flags`. */
  leafLo(framePhys: number, flags: number): number;
  leafHi(framePhys: number, flags: number): number;
  isPresent(lo: number, hi: number): boolean;
  /** Physical address an entry points to (table or frame). */
  address(lo: number, hi: number): number;
  /** `PageFlags` bits of a leaf entry. */
  flags(lo: number, hi: number): number;
  /** `PageStatus` bits (accessed, dirty) of a leaf entry. */
  status(lo: number, hi: number): number;
}

/** The user-mode register file, shaped so an arch port can pass its CPU's context through. */
export interface ArchUserContext {
  readonly gprLo: Int32Array;
  readonly gprHi: Int32Array;
  rip: number;
  rflags: number;
  fsBase: number;
  gsBase: number;
  saveFpu(into: Uint8Array): void;
  restoreFpu(from: Uint8Array): void;
  copyFrom(other: ArchUserContext): void;
}

/** Why user execution stopped. */
export const TrapKind = { Syscall: 0, Exception: 1, Interrupt: 2 } as const;
export type TrapKind = (typeof TrapKind)[keyof typeof TrapKind];

/** Register indices of the system-call convention. */
export interface SyscallAbi {
  readonly number: number;
  readonly args: readonly number[];
  readonly result: number;
}

export interface ArchCpu {
  createContext(): ArchUserContext;
  /**
   * Runs user code until a trap.
   * @unsafe The active page table must map only untyped frames into user space.
   */
  enterUser(context: ArchUserContext): TrapKind;
  readonly exceptionVector: number;
  readonly errorCode: number;
  readonly faultAddress: number;
  /** Exception vector of a page fault, and the error-code bit meaning "write access". */
  readonly pageFaultVector: number;
  readonly pageFaultWriteBit: number;
  readonly pageFaultPresentBit: number;
  /**
   * Makes the page table rooted at `rootPhys` the active one.
   * @unsafe The table decides what user code can reach.
   */
  activatePageTable(rootPhys: number): void;
  /** @unsafe Only the owner of the page tables may flush. */
  flushPage(address: number): void;
  /** @unsafe Only the owner of the page tables may flush. */
  flushAll(): void;
  readonly syscallAbi: SyscallAbi;
  /** Keeps only the flag bits user code may hold (no IOPL, interrupts on). */
  sanitizeUserFlags(flags: number): number;
}

export interface ArchInterrupts {
  /** Vector of the highest-priority pending interrupt, acknowledged, or -1. */
  take(): number;
  readonly pending: boolean;
  endOfInterrupt(vector: number): void;
  readonly timerVector: number;
  /** Vectors OSTD may hand to devices (inclusive range). */
  readonly firstDeviceVector: number;
  readonly lastDeviceVector: number;
  /**
   * Routes device interrupt `irq` (an I/O APIC pin) to `vector`, edge- or level-triggered
   * (active high), or masks it with vector -1.
   * @unsafe Interrupt routing decides which handler runs.
   */
  route(irq: number, vector: number, levelTriggered: boolean): void;
  /** Starts the periodic tick at `hz` per second. */
  startTimer(hz: number): void;
  /** Sleeps until an interrupt is pending. */
  halt(): Promise<void>;
  /** Lets the host deliver input to devices. */
  pollHost(): Promise<void>;
}

export interface ArchIo {
  /** Port and MMIO ranges that services may never acquire (interrupt controllers, PCI config, power). */
  readonly sensitivePorts: readonly PhysRegion[];
  readonly sensitiveMmio: readonly PhysRegion[];
  /** @unsafe Raw port access; OSTD checks ranges before calling. */
  portRead(port: number, size: 1 | 2 | 4): number;
  /** @unsafe Raw port access; OSTD checks ranges before calling. */
  portWrite(port: number, size: 1 | 2 | 4, value: number): void;
  /** @unsafe Raw MMIO; OSTD checks ranges before calling. */
  mmioRead(address: number, size: 1 | 2 | 4 | 8): number;
  /** @unsafe Raw MMIO; OSTD checks ranges before calling. */
  mmioWrite(address: number, size: 1 | 2 | 4 | 8, value: number): void;
  /** @unsafe PCI configuration space of function `bdf` (bus << 8 | device << 3 | fn). */
  pciConfigRead(bdf: number, offset: number, size: 1 | 2 | 4): number;
  /** @unsafe PCI configuration space of function `bdf`. */
  pciConfigWrite(bdf: number, offset: number, size: 1 | 2 | 4, value: number): void;
  /** @unsafe Lets device `bdf` reach `pageCount` pages from `base`. */
  iommuMap(bdf: number, base: number, pageCount: number, writable: boolean): void;
  /** @unsafe Revokes an `iommuMap`. */
  iommuUnmap(bdf: number, base: number, pageCount: number): void;
}

export interface ArchClock {
  monotonicNs(): number;
  realtimeNs(): number;
  readonly deterministic: boolean;
}

/** Everything an arch port gives OSTD at boot. */
export interface Arch {
  /**
   * All of physical RAM.
   * @unsafe It aliases page tables, frame contents of every process and DMA buffers.
   */
  readonly physicalMemory: Uint8Array;
  readonly bootInfo: ArchBootInfo;
  readonly pageTable: PageTableFormat;
  readonly cpu: ArchCpu;
  readonly interrupts: ArchInterrupts;
  readonly io: ArchIo;
  readonly clock: ArchClock;
  /** Writes bytes to the early (serial) console. */
  consoleWrite(bytes: Uint8Array): void;
  /** @unsafe Ends everything without flushing. */
  powerOff(exitCode: number): void;
}
