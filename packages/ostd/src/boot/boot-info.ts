/**
 * What the boot loader handed over, for the kernel: the command line, the memory map and
 * the initramfs (copied out of reserved RAM on request, so no service holds a view of it).
 */
import type { MemoryRegion } from "../arch.ts";
import { arch } from "./machine-state.ts";

export interface BootInfo {
  readonly commandLine: string;
  readonly memoryRegions: readonly MemoryRegion[];
  /** Size of the initramfs in bytes (0 if none). */
  readonly initramfsSize: number;
  /** A copy of the initramfs image, or undefined if the loader provided none. */
  readInitramfs(): Uint8Array | undefined;
}

export function bootInfo(): BootInfo {
  // SAFETY: RAM is only copied from, inside the reserved initramfs region.
  const { bootInfo: info, physicalMemory } = arch();
  const initramfs = info.initramfs;
  return {
    commandLine: info.commandLine,
    memoryRegions: info.memoryRegions,
    initramfsSize: initramfs?.length ?? 0,
    readInitramfs(): Uint8Array | undefined {
      if (initramfs === undefined) return undefined;
      // SAFETY: the initramfs region is reserved (never handed out as a frame); this is a copy.
      return physicalMemory.slice(initramfs.base, initramfs.base + initramfs.length);
    },
  };
}
