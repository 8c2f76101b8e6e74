/**
 * Port I/O, MMIO, PCI configuration (mechanism #1 through ports 0xCF8/0xCFC) and the IOMMU
 * for OSTD, plus the list of ranges that must never be handed to a driver: the interrupt
 * controllers, the PCI configuration ports, the legacy PIC and the power-off port.
 */
import type { ArchIo, PhysRegion } from "@asterism/ostd";
import type { Machine } from "@asterism/board-x86";
import { BoardLayout } from "./board-layout.ts";

const PAGE = 4096;

const SENSITIVE_PORTS: readonly PhysRegion[] = [
  { base: 0x20, length: 2 }, // legacy PIC (master)
  { base: 0xa0, length: 2 }, // legacy PIC (slave)
  { base: BoardLayout.powerOffPort, length: 4 },
  { base: BoardLayout.pciConfigAddressPort, length: 8 },
];

const SENSITIVE_MMIO: readonly PhysRegion[] = [
  { base: BoardLayout.localApicBase, length: PAGE },
  { base: BoardLayout.ioApicBase, length: PAGE },
];

const CONFIG_ENABLE = 0x8000_0000;

export function createX86Io(machine: Machine): ArchIo {
  const selectConfig = (bdf: number, offset: number): void => {
    // SAFETY: the PCI configuration address port, used only here.
    machine.ports.write(BoardLayout.pciConfigAddressPort, 4, (CONFIG_ENABLE | ((bdf & 0xffff) << 8) | (offset & 0xfc)) >>> 0);
  };
  return {
    sensitivePorts: SENSITIVE_PORTS,
    sensitiveMmio: SENSITIVE_MMIO,
    portRead(port, size) {
      // SAFETY: OSTD checked the port against SENSITIVE_PORTS.
      return machine.ports.read(port, size);
    },
    portWrite(port, size, value) {
      // SAFETY: OSTD checked the port against SENSITIVE_PORTS.
      machine.ports.write(port, size, value);
    },
    mmioRead(address, size) {
      // SAFETY: OSTD checked the window against RAM and SENSITIVE_MMIO.
      return machine.mmio.read(address, size);
    },
    mmioWrite(address, size, value) {
      // SAFETY: OSTD checked the window against RAM and SENSITIVE_MMIO.
      machine.mmio.write(address, size, value);
    },
    pciConfigRead(bdf, offset, size) {
      selectConfig(bdf, offset);
      // SAFETY: the data port of the configuration mechanism selected above.
      return machine.ports.read(BoardLayout.pciConfigDataPort + (offset & 3), size);
    },
    pciConfigWrite(bdf, offset, size, value) {
      selectConfig(bdf, offset);
      // SAFETY: OSTD filtered the offset (no BAR or ROM writes from drivers).
      machine.ports.write(BoardLayout.pciConfigDataPort + (offset & 3), size, value);
    },
    iommuMap(bdf, base, pageCount, writable) {
      // SAFETY: OSTD maps only untyped frames owned by a DMA buffer.
      machine.iommu.map(bdf, base, pageCount, writable);
    },
    iommuUnmap(bdf, base, pageCount) {
      // SAFETY: the owner unmaps before releasing the memory.
      machine.iommu.unmap(bdf, base, pageCount);
    },
  };
}
