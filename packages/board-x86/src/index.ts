/**
 * @asterism/board-x86: the emulated x86-64 machine: physical RAM, the CPU and its MMU,
 * interrupt controllers, timers, UART, RTC, PCI and virtio devices, the IOMMU and the image
 * loader.
 *
 * Public surface: `createBoard(config)` and its configuration types, and the machine
 * interface (`Machine` and friends, with the fixed layout constants) that ostd-x86 programs
 * against with type-only imports, and the execution-core seam that `BoardConfig.createCore`
 * accepts. Everything else is board-internal.
 */
export const PACKAGE_NAME = "@asterism/board-x86";

export { createBoard, IsaIrq, PCI_IRQ_BASE, type Board } from "./board.ts";
export type { BoardConfig, ConsoleConfig, DiskConfig, NetworkConfig, PortForward } from "./board-config.ts";
export { BoardError } from "./board-error.ts";
export type { ConsoleInput, ConsoleOutput } from "./host/host-terminal.ts";
export { APIC_TIMER_HZ } from "./interrupts/local-apic.ts";
export { PHYSICAL_ADDRESS_BITS } from "./mmu/page-table-entry.ts";
export { TSC_FREQUENCY, type CoreFactory } from "./cpu-system.ts";
/** The execution-core seam behind `BoardConfig.createCore` (tests may script user mode). */
export { Access, type AddressTranslator, type CpuPlatform, type ExecutionCore } from "./cpu-wiring.ts";
export { NS_PER_INSTRUCTION, DETERMINISTIC_EPOCH_NS } from "./time/board-clock.ts";
export {
  BOOT_INFO_MAGIC,
  BoardLayout,
  BootInfoLayout,
  ExceptionVector,
  MemoryKind,
  MemoryMapEntryLayout,
  PageFaultError,
  UserExit,
} from "./machine.ts";
export type {
  Clock,
  Cpu,
  CpuContext,
  ImageEntry,
  Iommu,
  Machine,
  MemoryRegion,
  MmioBus,
  PhysAddr,
  PhysicalMemory,
  PortBus,
  VirtAddr,
} from "./machine.ts";
