/**
 * The board's fixed numbers, mirrored from board-x86's machine.ts.
 *
 * ostd-x86 may import the board only as types (the kernel image never links board code),
 * so the constants are restated here, and `satisfies typeof ...` makes the compiler check
 * every value against the board's own definition: a change on either side fails typecheck.
 */
import type {
  BOOT_INFO_MAGIC as BoardBootInfoMagic,
  BoardLayout as BoardBoardLayout,
  BootInfoLayout as BoardBootInfoLayout,
  ExceptionVector as BoardExceptionVector,
  MemoryKind as BoardMemoryKind,
  MemoryMapEntryLayout as BoardMemoryMapEntryLayout,
  PageFaultError as BoardPageFaultError,
  UserExit as BoardUserExit,
  APIC_TIMER_HZ as BoardApicTimerHz,
} from "@asterism/board-x86";

export const BOOT_INFO_MAGIC = 0x42545341 satisfies typeof BoardBootInfoMagic;

export const BootInfoLayout = {
  magic: 0,
  version: 4,
  cmdlineAddress: 8,
  cmdlineLength: 16,
  initramfsAddress: 24,
  initramfsLength: 32,
  memoryMapAddress: 40,
  memoryMapCount: 48,
  rsdpAddress: 56,
  size: 64,
} as const satisfies typeof BoardBootInfoLayout;

export const MemoryMapEntryLayout = { base: 0, length: 8, kind: 16, size: 24 } as const satisfies typeof BoardMemoryMapEntryLayout;

export const MemoryKind = {
  Usable: 1,
  Reserved: 2,
  AcpiReclaimable: 3,
  BootInfo: 0x1001,
  Initramfs: 0x1002,
  Mmio: 0x1003,
} as const satisfies typeof BoardMemoryKind;

export const BoardLayout = {
  bootInfoAddress: 0x1000,
  localApicBase: 0xfee0_0000,
  ioApicBase: 0xfec0_0000,
  pciMmioBase: 0xc000_0000,
  com1Port: 0x3f8,
  cmosPort: 0x70,
  pciConfigAddressPort: 0xcf8,
  pciConfigDataPort: 0xcfc,
  powerOffPort: 0x604,
} as const satisfies typeof BoardBoardLayout;

export const UserExit = { Syscall: 0, Exception: 1, Interrupt: 2 } as const satisfies typeof BoardUserExit;

export const PAGE_FAULT_VECTOR = 14 satisfies (typeof BoardExceptionVector)["PageFault"];

export const PageFaultError = {
  Present: 1,
  Write: 2,
  User: 4,
  ReservedBit: 8,
  InstructionFetch: 16,
} as const satisfies typeof BoardPageFaultError;

/** The local APIC timer's input clock (board README: 100 MHz before division). */
export const APIC_TIMER_HZ = 100_000_000 satisfies typeof BoardApicTimerHz;
