/**
 * A minimal virtio 1.x driver for tests, written from the spec against the `Machine`
 * interface only (PCI configuration ports, MMIO, the IOMMU and RAM), the way ostd-x86's
 * driver will: it finds the capabilities, negotiates features, lays out split virtqueues in
 * RAM, maps them in the IOMMU, submits descriptor chains and reads the used ring.
 */

import type { Machine } from "../../src/machine.ts";
import { BoardLayout } from "../../src/machine.ts";
import { CommonConfig, DeviceStatus } from "../../src/virtio/virtio-backend.ts";

export interface ChainBuffer {
  readonly address: number;
  readonly length: number;
  readonly write: boolean;
}

interface DriverQueue {
  readonly size: number;
  readonly descriptors: number;
  readonly available: number;
  readonly used: number;
  availableIndex: number;
  usedSeen: number;
  nextDescriptor: number;
}

export class TestVirtioDriver {
  readonly requester: number;
  commonBase = 0;
  notifyBase = 0;
  notifyMultiplier = 0;
  isrAddress = 0;
  deviceBase = 0;
  private readonly machine: Machine;
  private readonly slot: number;
  private readonly queues = new Map<number, DriverQueue>();
  private readonly view: DataView;

  constructor(machine: Machine, slot: number) {
    this.machine = machine;
    this.slot = slot;
    this.requester = slot << 3;
    this.view = new DataView(machine.memory.bytes.buffer);
    this.findCapabilities();
  }

  config(offset: number, size: 1 | 2 | 4 = 4): number {
    this.machine.ports.write(BoardLayout.pciConfigAddressPort, 4, (0x8000_0000 | (this.slot << 11) | (offset & 0xfc)) >>> 0);
    return this.machine.ports.read(BoardLayout.pciConfigDataPort + (offset & 3), size);
  }

  setConfig(offset: number, size: 1 | 2 | 4, value: number): void {
    this.machine.ports.write(BoardLayout.pciConfigAddressPort, 4, (0x8000_0000 | (this.slot << 11) | (offset & 0xfc)) >>> 0);
    this.machine.ports.write(BoardLayout.pciConfigDataPort + (offset & 3), size, value);
  }

  /** Configuration-space offset of the first virtio capability of `type`, or 0. */
  capability(type: number): number {
    for (let pointer = this.config(0x34, 1); pointer !== 0; pointer = this.config(pointer + 1, 1)) {
      if (this.config(pointer, 1) === 0x09 && this.config(pointer + 3, 1) === type) return pointer;
    }
    return 0;
  }

  common(offset: number, size: 1 | 2 | 4): number {
    return this.machine.mmio.read(this.commonBase + offset, size);
  }

  setCommon(offset: number, size: 1 | 2 | 4, value: number): void {
    this.machine.mmio.write(this.commonBase + offset, size, value);
  }

  /** Reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK; returns the status read back. */
  negotiate(featuresLow: number, featuresHigh = 1): number {
    this.setCommon(CommonConfig.DeviceStatus, 1, 0);
    this.setCommon(CommonConfig.DeviceStatus, 1, DeviceStatus.Acknowledge);
    this.setCommon(CommonConfig.DeviceStatus, 1, DeviceStatus.Acknowledge | DeviceStatus.Driver);
    this.setCommon(CommonConfig.DriverFeatureSelect, 4, 0);
    this.setCommon(CommonConfig.DriverFeature, 4, featuresLow);
    this.setCommon(CommonConfig.DriverFeatureSelect, 4, 1);
    this.setCommon(CommonConfig.DriverFeature, 4, featuresHigh);
    this.setCommon(CommonConfig.DeviceStatus, 1, DeviceStatus.Acknowledge | DeviceStatus.Driver | DeviceStatus.FeaturesOk);
    return this.common(CommonConfig.DeviceStatus, 1);
  }

  deviceFeatures(select: number): number {
    this.setCommon(CommonConfig.DeviceFeatureSelect, 4, select);
    return this.common(CommonConfig.DeviceFeature, 4);
  }

  /** Lays out queue `index` with `size` entries at `base` (page aligned) and maps it in the IOMMU. */
  setupQueue(index: number, size: number, base: number): void {
    const descriptors = base;
    const available = base + size * 16;
    const used = Math.ceil((available + 6 + size * 2) / 4096) * 4096;
    const end = used + 6 + size * 8;
    this.machine.memory.bytes.fill(0, base, end);
    this.machine.iommu.map(this.requester, base, Math.ceil((end - base) / 4096), true);
    this.setCommon(CommonConfig.QueueSelect, 2, index);
    this.setCommon(CommonConfig.QueueSize, 2, size);
    this.setCommon(CommonConfig.QueueDesc, 4, descriptors);
    this.setCommon(CommonConfig.QueueDesc + 4, 4, 0);
    this.setCommon(CommonConfig.QueueDriver, 4, available);
    this.setCommon(CommonConfig.QueueDriver + 4, 4, 0);
    this.setCommon(CommonConfig.QueueDevice, 4, used);
    this.setCommon(CommonConfig.QueueDevice + 4, 4, 0);
    this.setCommon(CommonConfig.QueueEnable, 2, 1);
    this.queues.set(index, { size, descriptors, available, used, availableIndex: 0, usedSeen: 0, nextDescriptor: 0 });
  }

  driverOk(): number {
    const status = this.common(CommonConfig.DeviceStatus, 1);
    this.setCommon(CommonConfig.DeviceStatus, 1, status | DeviceStatus.DriverOk);
    return this.common(CommonConfig.DeviceStatus, 1);
  }

  /** Writes a chain into the descriptor table and the available ring (without notifying). */
  post(index: number, buffers: readonly ChainBuffer[]): number {
    const queue = this.queue(index);
    const head = queue.nextDescriptor;
    buffers.forEach((buffer, i) => {
      const slot = (head + i) % queue.size;
      const at = queue.descriptors + slot * 16;
      this.view.setUint32(at, buffer.address, true);
      this.view.setUint32(at + 4, 0, true);
      this.view.setUint32(at + 8, buffer.length, true);
      const last = i === buffers.length - 1;
      this.view.setUint16(at + 12, (last ? 0 : 1) | (buffer.write ? 2 : 0), true);
      this.view.setUint16(at + 14, last ? 0 : (slot + 1) % queue.size, true);
    });
    queue.nextDescriptor = (head + buffers.length) % queue.size;
    this.view.setUint16(queue.available + 4 + (queue.availableIndex % queue.size) * 2, head, true);
    queue.availableIndex = (queue.availableIndex + 1) & 0xffff;
    this.view.setUint16(queue.available + 2, queue.availableIndex, true);
    return head;
  }

  notify(index: number): void {
    this.machine.mmio.write(this.notifyBase + index * this.notifyMultiplier, 2, index);
  }

  /** Posts a chain and notifies. */
  submit(index: number, buffers: readonly ChainBuffer[]): number {
    const head = this.post(index, buffers);
    this.notify(index);
    return head;
  }

  /** Used-ring elements added since the last call. */
  takeUsed(index: number): { id: number; length: number }[] {
    const queue = this.queue(index);
    const out: { id: number; length: number }[] = [];
    const usedIndex = this.view.getUint16(queue.used + 2, true);
    while (queue.usedSeen !== usedIndex) {
      const at = queue.used + 4 + (queue.usedSeen % queue.size) * 8;
      out.push({ id: this.view.getUint32(at, true), length: this.view.getUint32(at + 4, true) });
      queue.usedSeen = (queue.usedSeen + 1) & 0xffff;
    }
    return out;
  }

  readIsr(): number {
    return this.machine.mmio.read(this.isrAddress, 1);
  }

  /** Raw descriptor write, for malformed-chain tests. */
  writeDescriptor(index: number, slot: number, address: number, length: number, flags: number, next: number): void {
    const at = this.queue(index).descriptors + slot * 16;
    this.view.setUint32(at, address, true);
    this.view.setUint32(at + 4, 0, true);
    this.view.setUint32(at + 8, length, true);
    this.view.setUint16(at + 12, flags, true);
    this.view.setUint16(at + 14, next, true);
  }

  /** Makes descriptor `head` available (after `writeDescriptor`) and notifies. */
  offer(index: number, head: number): void {
    const queue = this.queue(index);
    this.view.setUint16(queue.available + 4 + (queue.availableIndex % queue.size) * 2, head, true);
    queue.availableIndex = (queue.availableIndex + 1) & 0xffff;
    this.view.setUint16(queue.available + 2, queue.availableIndex, true);
    this.notify(index);
  }

  private queue(index: number): DriverQueue {
    const queue = this.queues.get(index);
    if (queue === undefined) throw new Error(`queue ${String(index)} not set up`);
    return queue;
  }

  private findCapabilities(): void {
    const bar0 = (this.config(0x10) & ~0xf) >>> 0;
    let pointer = this.config(0x34, 1);
    while (pointer !== 0) {
      const id = this.config(pointer, 1);
      const next = this.config(pointer + 1, 1);
      if (id === 0x09) {
        const type = this.config(pointer + 3, 1);
        const offset = this.config(pointer + 8);
        if (type === 1) this.commonBase = bar0 + offset;
        if (type === 2) {
          this.notifyBase = bar0 + offset;
          this.notifyMultiplier = this.config(pointer + 16);
        }
        if (type === 3) this.isrAddress = bar0 + offset;
        if (type === 4) this.deviceBase = bar0 + offset;
      }
      pointer = next;
    }
  }
}
