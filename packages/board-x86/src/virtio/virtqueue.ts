/**
 * The device side of a virtio 1.x split virtqueue (virtio spec 1.2, 2.7): the descriptor
 * table, the available ring the driver fills and the used ring the device fills, all in
 * guest RAM and all reached by DMA through the IOMMU.
 *
 * `pop` walks one descriptor chain (direct or through an indirect table) and validates it the
 * way the spec requires of a device: indices in range, no loops (a chain is at most the
 * queue size long), no readable descriptor after a writable one, indirect tables of a whole
 * number of descriptors that do not nest. A violation throws `VirtioDeviceError`; an access
 * outside the IOMMU map throws `DmaFault`. Either makes the transport set
 * DEVICE_NEEDS_RESET instead of crashing the host.
 */

import type { DmaPort } from "../iommu/iommu.ts";

export const DescriptorFlag = { Next: 1, Write: 2, Indirect: 4 } as const;
export const AVAIL_F_NO_INTERRUPT = 1;
const DESCRIPTOR_SIZE = 16;

/** The driver broke the virtio protocol; the device needs a reset. */
export class VirtioDeviceError extends Error {
  override readonly name = "VirtioDeviceError";
}

export interface Buffer {
  readonly address: number;
  readonly length: number;
}

/** One request: the buffers the device reads, then the buffers it writes. */
export interface DescriptorChain {
  readonly head: number;
  readonly readable: readonly Buffer[];
  readonly writable: readonly Buffer[];
}

export interface QueueLayout {
  readonly size: number;
  readonly descriptorTable: number;
  readonly availableRing: number;
  readonly usedRing: number;
}

export class Virtqueue {
  private readonly dma: DmaPort;
  private readonly layout: QueueLayout;
  private lastAvailable = 0;
  private usedIndex = 0;

  constructor(dma: DmaPort, layout: QueueLayout) {
    const { size, descriptorTable, availableRing, usedRing } = layout;
    if (size === 0 || size > 32768 || (size & (size - 1)) !== 0) {
      throw new VirtioDeviceError(`queue size ${String(size)} is not a power of two up to 32768`);
    }
    if (descriptorTable % 16 !== 0 || availableRing % 2 !== 0 || usedRing % 4 !== 0) {
      throw new VirtioDeviceError("queue areas are misaligned (descriptors 16, available 2, used 4)");
    }
    this.dma = dma;
    this.layout = layout;
  }

  get size(): number {
    return this.layout.size;
  }

  /** Whether the driver has made a chain available that the device has not taken. */
  hasAvailable(): boolean {
    return this.availableIndex() !== this.lastAvailable;
  }

  /** Takes the next available chain, or returns undefined when the ring is empty. */
  pop(): DescriptorChain | undefined {
    const available = this.availableIndex();
    if (available === this.lastAvailable) return undefined;
    if (((available - this.lastAvailable) & 0xffff) > this.layout.size) {
      throw new VirtioDeviceError(`available index ${String(available)} runs more than a queue ahead`);
    }
    const slot = this.lastAvailable % this.layout.size;
    const head = this.dma.readU16(this.layout.availableRing + 4 + slot * 2);
    this.lastAvailable = (this.lastAvailable + 1) & 0xffff;
    return this.readChain(head);
  }

  /** Returns a chain to the driver with the number of bytes written into it. */
  push(head: number, writtenLength: number): void {
    const slot = this.usedIndex % this.layout.size;
    const element = this.layout.usedRing + 4 + slot * 8;
    this.dma.writeU32(element, head);
    this.dma.writeU32(element + 4, writtenLength);
    this.usedIndex = (this.usedIndex + 1) & 0xffff;
    this.dma.writeU16(this.layout.usedRing + 2, this.usedIndex);
  }

  /**
   * Serves every available chain in ring order: `serve` returns the number of bytes it wrote
   * into the chain, which then goes back to the driver. Returns whether any chain was served
   * (the device then signals the used ring once).
   */
  serveAll(serve: (chain: DescriptorChain) => number): boolean {
    let served = false;
    for (let chain = this.pop(); chain !== undefined; chain = this.pop()) {
      this.push(chain.head, serve(chain));
      served = true;
    }
    return served;
  }

  /** Whether the driver asked not to be interrupted (VIRTQ_AVAIL_F_NO_INTERRUPT). */
  interruptSuppressed(): boolean {
    return (this.dma.readU16(this.layout.availableRing) & AVAIL_F_NO_INTERRUPT) !== 0;
  }

  private availableIndex(): number {
    return this.dma.readU16(this.layout.availableRing + 2);
  }

  private readChain(head: number): DescriptorChain {
    const readable: Buffer[] = [];
    const writable: Buffer[] = [];
    let table = this.layout.descriptorTable;
    let tableSize = this.layout.size;
    let index = head;
    let indirect = false;
    for (let visited = 0; ; visited++) {
      if (index >= tableSize) throw new VirtioDeviceError(`descriptor index ${String(index)} is outside a table of ${String(tableSize)}`);
      if (visited >= tableSize) throw new VirtioDeviceError(`descriptor chain from head ${String(head)} loops`);
      const at = table + index * DESCRIPTOR_SIZE;
      const address = this.dma.readU64(at);
      const length = this.dma.readU32(at + 8);
      const flags = this.dma.readU16(at + 12);
      const next = this.dma.readU16(at + 14);
      if ((flags & DescriptorFlag.Indirect) !== 0) {
        if (indirect) throw new VirtioDeviceError("an indirect table refers to another indirect table");
        if ((flags & DescriptorFlag.Next) !== 0) throw new VirtioDeviceError("an indirect descriptor has NEXT set");
        if (length === 0 || length % DESCRIPTOR_SIZE !== 0) {
          throw new VirtioDeviceError(`indirect table length ${String(length)} is not a multiple of 16`);
        }
        indirect = true;
        table = address;
        tableSize = length / DESCRIPTOR_SIZE;
        index = 0;
        visited = -1;
        continue;
      }
      if ((flags & DescriptorFlag.Write) !== 0) {
        writable.push({ address, length });
      } else {
        if (writable.length > 0) throw new VirtioDeviceError("a device-readable descriptor follows a device-writable one");
        readable.push({ address, length });
      }
      if ((flags & DescriptorFlag.Next) === 0) break;
      index = next;
    }
    return { head, readable, writable };
  }
}
