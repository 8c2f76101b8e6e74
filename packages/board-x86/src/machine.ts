/**
 * The machine interface: everything a kernel image may touch on the board.
 *
 * This file is the contract between the hardware (board-x86) and the OS framework
 * (ostd-x86), which imports it with `import type` only: the board never imports kernel code
 * and the kernel never links against board internals. Every member that hands out raw
 * machine state (physical memory, CPU control registers, MMIO, port I/O, the IOMMU) is
 * tagged `@unsafe`: the lint rule sets let only OSTD use them, each use with a `// SAFETY:`
 * comment. Fixed addresses and numbers follow the PC conventions (Intel SDM, PCI local bus
 * spec, 16550 datasheet) so that a kernel written for real hardware finds things where it
 * expects them; the few board-specific pieces (boot-information block, IOMMU, power-off)
 * are documented in the package README.
 */

/** A physical address: a byte offset into the board's physical address space. */
export type PhysAddr = number;

/** A user virtual address; user space is the canonical lower half, below 2^47. */
export type VirtAddr = number;

/** Kinds of physical memory ranges in the memory map (values as in the e820 map). */
export const MemoryKind = {
  Usable: 1,
  Reserved: 2,
  AcpiReclaimable: 3,
  /** The board's own structures: boot-information block, command line, memory map. */
  BootInfo: 0x1001,
  /** The initramfs image placed by the loader. */
  Initramfs: 0x1002,
  /** Device MMIO windows (LAPIC, IOAPIC, PCI BARs). */
  Mmio: 0x1003,
} as const;
export type MemoryKind = (typeof MemoryKind)[keyof typeof MemoryKind];

export interface MemoryRegion {
  readonly base: PhysAddr;
  readonly length: number;
  readonly kind: MemoryKind;
}

/** Physical RAM: one contiguous buffer from physical address 0. */
export interface PhysicalMemory {
  /** Bytes of RAM. */
  readonly size: number;
  /**
   * A view of all of RAM.
   * @unsafe It aliases page tables, DMA rings and every process's memory; a write through it
   * can break any isolation guarantee.
   */
  readonly bytes: Uint8Array;
  /** The memory map, sorted by base, non-overlapping. */
  readonly regions: readonly MemoryRegion[];
}

/** Why `Cpu.enterUser` returned. */
export const UserExit = {
  /** The user executed `syscall`; RCX and R11 already hold the return RIP and RFLAGS. */
  Syscall: 0,
  /** The user raised an exception; see `Cpu.exceptionVector`, `errorCode`, `faultAddress`. */
  Exception: 1,
  /** An interrupt became pending at an instruction boundary; take it with `Cpu.takeInterrupt`. */
  Interrupt: 2,
} as const;
export type UserExit = (typeof UserExit)[keyof typeof UserExit];

/** Architectural exception vectors user code can raise. */
export const ExceptionVector = {
  DivideError: 0,
  Debug: 1,
  Breakpoint: 3,
  Overflow: 4,
  BoundRange: 5,
  InvalidOpcode: 6,
  DeviceNotAvailable: 7,
  GeneralProtection: 13,
  PageFault: 14,
  X87FloatingPoint: 16,
  AlignmentCheck: 17,
  SimdFloatingPoint: 19,
} as const;

/** Page-fault error code bits (Intel SDM vol. 3, 4.7). */
export const PageFaultError = {
  Present: 1,
  Write: 2,
  User: 4,
  ReservedBit: 8,
  InstructionFetch: 16,
} as const;

/**
 * The user-mode register file of one thread. The CPU executes directly on these arrays, so
 * switching threads is passing another context: nothing is copied.
 *
 * General-purpose registers are split into low and high 32-bit halves (index order RAX, RCX,
 * RDX, RBX, RSP, RBP, RSI, RDI, R8..R15) because V8 keeps int32 arithmetic unboxed; a
 * BigInt register file would be an order of magnitude slower.
 */
export interface CpuContext {
  readonly gprLo: Int32Array;
  readonly gprHi: Int32Array;
  /** RIP (a canonical user address, exact in a double). */
  rip: number;
  /** RFLAGS as the architecture defines it (bit 1 always set); flags are materialized on read. */
  rflags: number;
  fsBase: number;
  gsBase: number;
  /** FPU/SSE state in the 512-byte FXSAVE layout (what Linux puts in a signal frame). */
  saveFpu(into: Uint8Array): void;
  /** Loads FPU/SSE state from the FXSAVE layout; reserved MXCSR bits raise no host error but are masked. */
  restoreFpu(from: Uint8Array): void;
  /** Copies every register of `other` into this context (fork). */
  copyFrom(other: CpuContext): void;
}

/** The CPU: user-mode execution plus the system state only the kernel may change. */
export interface Cpu {
  /** A fresh context in the x86-64 Linux process entry state (GPRs 0, RFLAGS 0x202, FCW 0x37F, MXCSR 0x1F80). */
  createContext(): CpuContext;
  /**
   * Runs ring-3 code on `context` until a syscall, an exception or a pending interrupt.
   * @unsafe User code runs with the page tables at CR3; the caller must have built them so
   * that user pages never alias kernel-owned frames.
   */
  enterUser(context: CpuContext): UserExit;
  /** Vector of the last exception `enterUser` reported. */
  readonly exceptionVector: number;
  /** Error code of the last exception (0 where the vector has none). */
  readonly errorCode: number;
  /** CR2: the faulting linear address of the last page fault. */
  readonly faultAddress: number;
  /**
   * Physical address of the PML4 table. Writing it flushes every non-global TLB entry.
   * @unsafe Page tables decide what user code can reach.
   */
  cr3: PhysAddr;
  /**
   * Invalidates the TLB entry of one page (INVLPG).
   * @unsafe Only meaningful to the owner of the page tables.
   */
  invalidatePage(address: VirtAddr): void;
  /**
   * Flushes the whole TLB, global entries included.
   * @unsafe Only meaningful to the owner of the page tables.
   */
  flushTlb(): void;
  /** The time-stamp counter (RDTSC). */
  readTsc(): number;
  /** TSC ticks per second. */
  readonly tscFrequency: number;
  /** Vector of the highest-priority pending interrupt, acknowledged (moved to in-service), or -1. */
  takeInterrupt(): number;
  /** Whether an interrupt is pending. */
  readonly interruptPending: boolean;
}

/** Port I/O (IN/OUT). */
export interface PortBus {
  /** @unsafe Ports include the PCI configuration mechanism and every legacy device. */
  read(port: number, size: 1 | 2 | 4): number;
  /** @unsafe Ports include the PCI configuration mechanism and every legacy device. */
  write(port: number, size: 1 | 2 | 4, value: number): void;
}

/** Memory-mapped I/O: accesses to physical addresses that decode to a device. */
export interface MmioBus {
  /** @unsafe MMIO includes the APIC registers, which control interrupt delivery. */
  read(address: PhysAddr, size: 1 | 2 | 4 | 8): number;
  /** @unsafe MMIO includes the APIC registers, which control interrupt delivery. */
  write(address: PhysAddr, size: 1 | 2 | 4 | 8, value: number): void;
}

/** The DMA remapping unit between PCI devices and RAM. Devices reach only what is mapped. */
export interface Iommu {
  /**
   * Lets the device with PCI requester ID `requester` (bus << 8 | device << 3 | function)
   * access `pageCount` pages of RAM from `base` (page aligned), read-only or read-write.
   * @unsafe The mapped pages become writable by a device behind the kernel's back.
   */
  map(requester: number, base: PhysAddr, pageCount: number, writable: boolean): void;
  /**
   * Revokes a mapping made by `map`.
   * @unsafe The caller must not revoke memory a device is using for an in-flight request.
   */
  unmap(requester: number, base: PhysAddr, pageCount: number): void;
}

/** Time as the board sees it. */
export interface Clock {
  /** Nanoseconds since the board was powered on (monotonic). */
  monotonicNs(): number;
  /** Nanoseconds since the Unix epoch, as the RTC would say (wall clock). */
  realtimeNs(): number;
  /** Whether time derives from the instruction count (same run, same output). */
  readonly deterministic: boolean;
}

/** Everything the image's entry point receives. */
export interface Machine {
  readonly memory: PhysicalMemory;
  readonly cpu: Cpu;
  readonly ports: PortBus;
  readonly mmio: MmioBus;
  readonly iommu: Iommu;
  readonly clock: Clock;
  /** Physical address of the boot-information block (layout: `BootInfoLayout`). */
  readonly bootInfoAddress: PhysAddr;
  /**
   * HLT: resolves when an interrupt is pending. It sleeps on the host until the next timer
   * deadline or device event, and never spins. In deterministic mode the clock jumps to
   * the next deadline instead.
   */
  halt(): Promise<void>;
  /** Gives the host one event-loop turn so devices can deliver input (terminal, network). */
  pollHost(): Promise<void>;
  /**
   * Powers the board off; `Board.run` resolves with `exitCode`.
   * @unsafe Ends every process without flushing anything.
   */
  powerOff(exitCode: number): void;
}

/** What a kernel image module exports: `export function boot(machine: Machine): Promise<void>`. */
export type ImageEntry = (machine: Machine) => Promise<void>;

/**
 * The boot-information block the loader writes at `Machine.bootInfoAddress`. All fields are
 * little-endian; the offsets below are bytes from the block's start.
 */
export const BootInfoLayout = {
  /** u32 "ASTB" = 0x42545341. */
  magic: 0,
  /** u32, currently 1. */
  version: 4,
  /** u64 physical address and u64 length of the kernel command line (UTF-8, no NUL). */
  cmdlineAddress: 8,
  cmdlineLength: 16,
  /** u64 physical address and u64 length of the initramfs (cpio newc), 0/0 if none. */
  initramfsAddress: 24,
  initramfsLength: 32,
  /** u64 physical address and u64 count of memory-map entries (MemoryMapEntryLayout each). */
  memoryMapAddress: 40,
  memoryMapCount: 48,
  /** u64 physical address of the ACPI RSDP (0 if none). */
  rsdpAddress: 56,
  /** Size of the block. */
  size: 64,
} as const;

export const BOOT_INFO_MAGIC = 0x42545341;

/** One memory-map entry: u64 base, u64 length, u32 kind (`MemoryKind`), u32 reserved. */
export const MemoryMapEntryLayout = { base: 0, length: 8, kind: 16, size: 24 } as const;

/** Fixed physical addresses and numbers of the board (PC conventions). */
export const BoardLayout = {
  bootInfoAddress: 0x1000,
  localApicBase: 0xfee0_0000,
  ioApicBase: 0xfec0_0000,
  /** PCI BARs are assigned from here upward. */
  pciMmioBase: 0xc000_0000,
  com1Port: 0x3f8,
  cmosPort: 0x70,
  pciConfigAddressPort: 0xcf8,
  pciConfigDataPort: 0xcfc,
  /** A write of value v to this 32-bit port powers off with exit code v (like QEMU's isa-debug-exit, but exact). */
  powerOffPort: 0x604,
} as const;
