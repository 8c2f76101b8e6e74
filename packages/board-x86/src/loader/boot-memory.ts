/**
 * The board's loader, memory half: allocates physical RAM, draws the memory map and writes
 * what a kernel needs to find at boot (the boot-information block, the memory map, the
 * command line and the initramfs) into RAM, as firmware plus a boot loader would.
 *
 * Physical layout (documented in the README):
 *   0x0000_0000 .. 0x0000_1000  reserved (null page)
 *   0x0000_1000 .. bootEnd      boot info: the block (`BootInfoLayout`), the memory map, the command line
 *   bootEnd     .. 0x0009_f000  usable
 *   0x0009_f000 .. 0x0010_0000  reserved (the PC's EBDA/VGA/BIOS hole)
 *   0x0010_0000 .. initrd       usable
 *   initrd      .. RAM end      initramfs, page aligned, at the top of RAM
 *   0xc000_0000 .. 0xfec0_0000  MMIO: PCI BARs
 *   0xfec0_0000, 0xfee0_0000    MMIO: I/O APIC, local APIC (one page each)
 */

import { BoardError } from "../board-error.ts";
import {
  BOOT_INFO_MAGIC,
  BoardLayout,
  BootInfoLayout,
  MemoryKind,
  MemoryMapEntryLayout,
  type MemoryRegion,
  type PhysicalMemory,
} from "../machine.ts";
import { PAGE_SIZE } from "../mmu/page-table-entry.ts";

export const DEFAULT_MEMORY_SIZE = 512 * 1024 * 1024;
const MIN_MEMORY_SIZE = 4 * 1024 * 1024;
const LOW_USABLE_END = 0x9_f000;
const HIGH_USABLE_START = 0x10_0000;
const MAX_COMMAND_LINE = 64 * 1024;
const BOOT_INFO_VERSION = 1;

export interface BootPayload {
  readonly memorySize: number;
  readonly commandLine: string;
  readonly initramfs: Uint8Array | undefined;
}

export interface BootMemory extends PhysicalMemory {
  readonly bootInfoAddress: number;
}

export function loadBootMemory(payload: BootPayload): BootMemory {
  const { memorySize, initramfs } = payload;
  if (!Number.isInteger(memorySize) || memorySize % PAGE_SIZE !== 0 || memorySize < MIN_MEMORY_SIZE || memorySize > BoardLayout.pciMmioBase) {
    throw new BoardError(
      `memory size ${String(memorySize)} must be a whole number of 4 KiB pages between 4 MiB and 3 GiB (the PCI window starts at 0xc0000000)`,
    );
  }
  const commandLine = new TextEncoder().encode(payload.commandLine);
  if (commandLine.length > MAX_COMMAND_LINE) {
    throw new BoardError(`command line is ${String(commandLine.length)} bytes; the limit is ${String(MAX_COMMAND_LINE)}`);
  }
  const bytes = new Uint8Array(memorySize);
  const initrdLength = initramfs?.length ?? 0;
  const initrdStart = initrdLength === 0 ? memorySize : Math.floor((memorySize - initrdLength) / PAGE_SIZE) * PAGE_SIZE;
  if (initrdStart < HIGH_USABLE_START + PAGE_SIZE) {
    throw new BoardError(`initramfs of ${String(initrdLength)} bytes does not fit in ${String(memorySize)} bytes of RAM`);
  }

  const base = BoardLayout.bootInfoAddress;
  const entryCount = initrdLength === 0 ? 8 : 9;
  const mapAddress = base + BootInfoLayout.size;
  const commandLineAddress = mapAddress + entryCount * MemoryMapEntryLayout.size;
  const bootEnd = Math.ceil((commandLineAddress + commandLine.length) / PAGE_SIZE) * PAGE_SIZE;

  const regions: MemoryRegion[] = [
    { base: 0, length: base, kind: MemoryKind.Reserved },
    { base, length: bootEnd - base, kind: MemoryKind.BootInfo },
    { base: bootEnd, length: LOW_USABLE_END - bootEnd, kind: MemoryKind.Usable },
    { base: LOW_USABLE_END, length: HIGH_USABLE_START - LOW_USABLE_END, kind: MemoryKind.Reserved },
    { base: HIGH_USABLE_START, length: initrdStart - HIGH_USABLE_START, kind: MemoryKind.Usable },
  ];
  if (initramfs !== undefined && initrdLength > 0) {
    regions.push({ base: initrdStart, length: memorySize - initrdStart, kind: MemoryKind.Initramfs });
    bytes.set(initramfs, initrdStart);
  }
  regions.push(
    { base: BoardLayout.pciMmioBase, length: BoardLayout.ioApicBase - BoardLayout.pciMmioBase, kind: MemoryKind.Mmio },
    { base: BoardLayout.ioApicBase, length: PAGE_SIZE, kind: MemoryKind.Mmio },
    { base: BoardLayout.localApicBase, length: PAGE_SIZE, kind: MemoryKind.Mmio },
  );

  const view = new DataView(bytes.buffer);
  view.setUint32(base + BootInfoLayout.magic, BOOT_INFO_MAGIC, true);
  view.setUint32(base + BootInfoLayout.version, BOOT_INFO_VERSION, true);
  setU64(view, base + BootInfoLayout.cmdlineAddress, commandLineAddress);
  setU64(view, base + BootInfoLayout.cmdlineLength, commandLine.length);
  setU64(view, base + BootInfoLayout.initramfsAddress, initrdLength === 0 ? 0 : initrdStart);
  setU64(view, base + BootInfoLayout.initramfsLength, initrdLength);
  setU64(view, base + BootInfoLayout.memoryMapAddress, mapAddress);
  setU64(view, base + BootInfoLayout.memoryMapCount, regions.length);
  setU64(view, base + BootInfoLayout.rsdpAddress, 0);
  regions.forEach((region, index) => {
    const entry = mapAddress + index * MemoryMapEntryLayout.size;
    setU64(view, entry + MemoryMapEntryLayout.base, region.base);
    setU64(view, entry + MemoryMapEntryLayout.length, region.length);
    view.setUint32(entry + MemoryMapEntryLayout.kind, region.kind, true);
  });
  bytes.set(commandLine, commandLineAddress);

  return { size: memorySize, bytes, regions, bootInfoAddress: base };
}

function setU64(view: DataView, offset: number, value: number): void {
  view.setUint32(offset, value % 0x1_0000_0000, true);
  view.setUint32(offset + 4, Math.floor(value / 0x1_0000_0000), true);
}
