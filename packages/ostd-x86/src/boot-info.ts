/**
 * Parsing the board's boot-information block (`BootInfoLayout` in board-x86's machine.ts):
 * magic, command line, memory map and initramfs location. A malformed block (bad magic,
 * pointers outside RAM, an absurd entry count) is a boot error with a clear message.
 */
import { decodeUtf8, type ArchBootInfo, type MemoryRegion, type MemoryRegionKind } from "@asterism/ostd";
import { BOOT_INFO_MAGIC, BootInfoLayout, MemoryKind, MemoryMapEntryLayout } from "./board-layout.ts";

const TWO_32 = 0x1_0000_0000;
const MAX_MAP_ENTRIES = 1024;

const KIND_NAMES: Readonly<Record<number, MemoryRegionKind>> = {
  [MemoryKind.Usable]: "usable",
  [MemoryKind.Reserved]: "reserved",
  [MemoryKind.AcpiReclaimable]: "acpi",
  [MemoryKind.BootInfo]: "boot-info",
  [MemoryKind.Initramfs]: "initramfs",
  [MemoryKind.Mmio]: "mmio",
};

export class BootInfoError extends Error {
  override readonly name = "BootInfoError";
}

/**
 * Reads the block at `address`.
 * @unsafe `ram` must be the board's physical memory; it is only read.
 */
export function parseBootInfo(ram: Uint8Array, address: number): ArchBootInfo {
  // SAFETY: a read-only view used within this function, every offset bounds-checked below.
  const view = new DataView(ram.buffer, ram.byteOffset, ram.byteLength);
  const inRam = (base: number, length: number): boolean => base >= 0 && length >= 0 && base + length <= ram.length;
  const u64 = (offset: number): number => view.getUint32(offset, true) + view.getUint32(offset + 4, true) * TWO_32;

  if (!inRam(address, BootInfoLayout.size)) throw new BootInfoError(`boot-info block at 0x${address.toString(16)} is outside RAM`);
  const magic = view.getUint32(address + BootInfoLayout.magic, true);
  if (magic !== BOOT_INFO_MAGIC) throw new BootInfoError(`bad boot-info magic 0x${magic.toString(16)}`);

  const cmdlineAddress = u64(address + BootInfoLayout.cmdlineAddress);
  const cmdlineLength = u64(address + BootInfoLayout.cmdlineLength);
  if (!inRam(cmdlineAddress, cmdlineLength)) throw new BootInfoError("command line outside RAM");
  const commandLine = decodeUtf8(ram.subarray(cmdlineAddress, cmdlineAddress + cmdlineLength));

  const mapAddress = u64(address + BootInfoLayout.memoryMapAddress);
  const mapCount = u64(address + BootInfoLayout.memoryMapCount);
  if (mapCount > MAX_MAP_ENTRIES || !inRam(mapAddress, mapCount * MemoryMapEntryLayout.size)) {
    throw new BootInfoError(`memory map (${String(mapCount)} entries) outside RAM`);
  }
  const memoryRegions: MemoryRegion[] = [];
  for (let i = 0; i < mapCount; i++) {
    const entry = mapAddress + i * MemoryMapEntryLayout.size;
    const kind = KIND_NAMES[view.getUint32(entry + MemoryMapEntryLayout.kind, true)] ?? "reserved";
    memoryRegions.push({ base: u64(entry + MemoryMapEntryLayout.base), length: u64(entry + MemoryMapEntryLayout.length), kind });
  }

  const initramfsAddress = u64(address + BootInfoLayout.initramfsAddress);
  const initramfsLength = u64(address + BootInfoLayout.initramfsLength);
  if (initramfsLength > 0 && !inRam(initramfsAddress, initramfsLength)) throw new BootInfoError("initramfs outside RAM");
  const initramfs = initramfsLength > 0 ? { base: initramfsAddress, length: initramfsLength } : undefined;

  return { commandLine, memoryRegions, initramfs };
}
