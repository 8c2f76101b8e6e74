/**
 * The virtio 1.x modern PCI transport (virtio spec 1.2, 4.1): a PCI function with vendor
 * 0x1AF4 and device ID 0x1040 + device type, whose registers live in memory BAR 0 and are
 * found through vendor-specific capabilities (common, notify, ISR and device configuration).
 *
 * It implements the device status state machine and feature negotiation (VIRTIO_F_VERSION_1
 * must be accepted; FEATURES_OK is refused for features the device did not offer), per-queue
 * configuration and enabling, queue notifications, and the INTx interrupt with the ISR status
 * register (read to acknowledge). MSI-X is not offered, so the MSI-X vector fields read
 * NO_VECTOR. A protocol violation or refused DMA by the device backend sets
 * DEVICE_NEEDS_RESET, raises a configuration interrupt and is reported on the board log.
 *
 * BAR 0 layout: common config at 0x0000, ISR at 0x1000, device config at 0x2000, notify at
 * 0x3000 (queue n at 0x3000 + 4n). The PCI configuration access capability reaches the same
 * registers through configuration space.
 */

import type { IrqLine } from "../interrupts/io-apic.ts";
import { DmaFault, type DmaPort } from "../iommu/iommu.ts";
import { PciFunction } from "../pci/pci-function.ts";
import { Virtqueue, VirtioDeviceError } from "./virtqueue.ts";
import { CommonConfig, DeviceStatus, FEATURE_VERSION_1_HIGH_BIT, VIRTIO_VENDOR_ID, type VirtioBackend } from "./virtio-backend.ts";

const Region = { Common: 0x0000, Isr: 0x1000, Device: 0x2000, Notify: 0x3000 } as const;
const BAR_SIZE = 0x4000;
const NOTIFY_MULTIPLIER = 4;
const CapType = { Common: 1, Notify: 2, Isr: 3, Device: 4, PciConfig: 5 } as const;
const PCI_CAP_VENDOR = 0x09;
const NO_VECTOR = 0xffff;
const ISR_QUEUE = 1;
const ISR_CONFIG = 2;

interface QueueState {
  size: number;
  enabled: boolean;
  descriptorTable: number;
  availableRing: number;
  usedRing: number;
  queue: Virtqueue | undefined;
}

export class VirtioPciDevice extends PciFunction {
  readonly backend: VirtioBackend;
  private readonly dma: DmaPort;
  private readonly irq: IrqLine;
  private readonly log: (message: string) => void;
  private readonly queues: QueueState[];
  private status = 0;
  private deviceFeatureSelect = 0;
  private driverFeatureSelect = 0;
  private readonly driverFeatures = new Uint32Array(2);
  private queueSelect = 0;
  private configGeneration = 0;
  private isr = 0;

  constructor(backend: VirtioBackend, dma: DmaPort, irq: IrqLine, log: (message: string) => void) {
    super({
      vendorId: VIRTIO_VENDOR_ID,
      deviceId: 0x1040 + backend.deviceType,
      revision: 1,
      classCode: backend.classCode,
      subsystemVendorId: VIRTIO_VENDOR_ID,
      subsystemId: 0x40 + backend.deviceType,
      interruptPin: 1,
    });
    this.backend = backend;
    this.dma = dma;
    this.irq = irq;
    this.log = log;
    this.queues = Array.from({ length: backend.queueCount }, () => emptyQueue(backend.maxQueueSize));
    this.addMemoryBar(0, BAR_SIZE, {
      read: (offset, size) => this.readBar(offset, size),
      write: (offset, size, value) => { this.writeBar(offset, size, value); },
    });
    this.addVirtioCapability(CapType.Common, Region.Common, 0x38);
    this.addVirtioCapability(CapType.Notify, Region.Notify, backend.queueCount * NOTIFY_MULTIPLIER, NOTIFY_MULTIPLIER);
    this.addVirtioCapability(CapType.Isr, Region.Isr, 1);
    this.addVirtioCapability(CapType.Device, Region.Device, 0x100);
    this.addPciConfigAccess();
    backend.attach({
      queue: (index) => this.liveQueue(index),
      queueUsed: (index) => { this.queueUsed(index); },
      configChanged: () => { this.configChanged(); },
      guard: (action) => { this.guard(action); },
    });
  }

  /** Whether DRIVER_OK is set and no reset is needed: the device may process queues. */
  get live(): boolean {
    return (this.status & DeviceStatus.DriverOk) !== 0 && (this.status & DeviceStatus.NeedsReset) === 0;
  }

  private addVirtioCapability(type: number, offset: number, length: number, multiplier?: number): void {
    const body = new Uint8Array(multiplier === undefined ? 16 : 20);
    body[0] = PCI_CAP_VENDOR;
    body[2] = body.length;
    body[3] = type;
    body[4] = 0;
    writeU32(body, 8, offset);
    writeU32(body, 12, length);
    if (multiplier !== undefined) writeU32(body, 16, multiplier);
    this.addCapability(body);
  }

  /**
   * VIRTIO_PCI_CAP_PCI_CFG: the driver writes bar/offset/length into the capability, then
   * reads or writes `pci_cfg_data` to reach BAR 0 through configuration space alone.
   */
  private addPciConfigAccess(): void {
    const body = new Uint8Array(20);
    body[0] = PCI_CAP_VENDOR;
    body[2] = body.length;
    body[3] = CapType.PciConfig;
    const at = this.addCapability(body, [4, 8, 9, 10, 11, 12, 13, 14, 15]);
    const target = (): { offset: number; size: number } | undefined => {
      const bar = this.readConfig(at + 4, 1);
      const offset = this.readConfig(at + 8, 4);
      const size = this.readConfig(at + 12, 4);
      if (bar !== 0 || (size !== 1 && size !== 2 && size !== 4) || offset % size !== 0 || offset + size > BAR_SIZE) return undefined;
      return { offset, size };
    };
    this.setConfigWindow({
      offset: at + 16,
      length: 4,
      read: () => {
        const access = target();
        return access === undefined ? 0 : this.readBar(access.offset, access.size);
      },
      write: (_offset, _size, value) => {
        const access = target();
        if (access !== undefined) this.writeBar(access.offset, access.size, value);
      },
    });
  }

  private readBar(offset: number, size: number): number {
    if (offset < Region.Isr) return this.readCommon(offset, size);
    if (offset < Region.Device) {
      if (offset !== Region.Isr) return 0;
      const value = this.isr;
      this.isr = 0;
      this.updateIrq();
      return value;
    }
    if (offset < Region.Notify) return this.backend.readConfig(offset - Region.Device, size);
    return 0;
  }

  private writeBar(offset: number, size: number, value: number): void {
    if (offset < Region.Isr) this.writeCommon(offset, size, value);
    else if (offset >= Region.Device && offset < Region.Notify) this.backend.writeConfig(offset - Region.Device, size, value);
    else if (offset >= Region.Notify) this.notify((offset - Region.Notify) / NOTIFY_MULTIPLIER);
  }

  private readCommon(offset: number, size: number): number {
    const queue = this.queues[this.queueSelect];
    switch (offset) {
      case CommonConfig.DeviceFeatureSelect:
        return this.deviceFeatureSelect;
      case CommonConfig.DeviceFeature:
        return this.deviceFeatureWord(this.deviceFeatureSelect);
      case CommonConfig.DriverFeatureSelect:
        return this.driverFeatureSelect;
      case CommonConfig.DriverFeature:
        return this.driverFeatures[this.driverFeatureSelect] ?? 0;
      case CommonConfig.ConfigMsixVector:
      case CommonConfig.QueueMsixVector:
        return NO_VECTOR;
      case CommonConfig.NumQueues:
        return this.queues.length;
      case CommonConfig.DeviceStatus:
        return this.status;
      case CommonConfig.ConfigGeneration:
        return this.configGeneration;
      case CommonConfig.QueueSelect:
        return this.queueSelect;
      case CommonConfig.QueueSize:
        return queue?.size ?? 0;
      case CommonConfig.QueueEnable:
        return queue?.enabled === true ? 1 : 0;
      case CommonConfig.QueueNotifyOff:
        return queue === undefined ? 0 : this.queueSelect;
      default:
        return this.readQueueAddress(queue, offset, size);
    }
  }

  private readQueueAddress(queue: QueueState | undefined, offset: number, size: number): number {
    if (queue === undefined || offset < CommonConfig.QueueDesc || offset >= CommonConfig.End) return 0;
    const field = offset < CommonConfig.QueueDriver ? queue.descriptorTable : offset < CommonConfig.QueueDevice ? queue.availableRing : queue.usedRing;
    const high = (offset & 7) === 4;
    const word = high ? Math.floor(field / 0x1_0000_0000) : field % 0x1_0000_0000;
    return size === 8 && !high ? field : word;
  }

  private writeCommon(offset: number, size: number, value: number): void {
    const queue = this.queues[this.queueSelect];
    switch (offset) {
      case CommonConfig.DeviceFeatureSelect:
        this.deviceFeatureSelect = value >>> 0;
        return;
      case CommonConfig.DriverFeatureSelect:
        this.driverFeatureSelect = value >>> 0;
        return;
      case CommonConfig.DriverFeature:
        if (this.driverFeatureSelect < 2 && (this.status & DeviceStatus.FeaturesOk) === 0) {
          this.driverFeatures[this.driverFeatureSelect] = value >>> 0;
        }
        return;
      case CommonConfig.DeviceStatus:
        this.writeStatus(value & 0xff);
        return;
      case CommonConfig.QueueSelect:
        this.queueSelect = value & 0xffff;
        return;
      case CommonConfig.QueueSize:
        if (queue !== undefined && !queue.enabled) queue.size = value & 0xffff;
        return;
      case CommonConfig.QueueEnable:
        if (queue !== undefined && (value & 1) === 1) this.enableQueue(queue);
        return;
      default:
        this.writeQueueAddress(queue, offset, size, value);
    }
  }

  private writeQueueAddress(queue: QueueState | undefined, offset: number, size: number, value: number): void {
    if (queue === undefined || queue.enabled || offset < CommonConfig.QueueDesc || offset >= CommonConfig.End) return;
    const base = offset - (offset & 7);
    const current = base === CommonConfig.QueueDesc ? queue.descriptorTable : base === CommonConfig.QueueDriver ? queue.availableRing : queue.usedRing;
    let next: number;
    if (size === 8) next = value;
    else if ((offset & 7) === 4) next = (current % 0x1_0000_0000) + (value >>> 0) * 0x1_0000_0000;
    else next = Math.floor(current / 0x1_0000_0000) * 0x1_0000_0000 + (value >>> 0);
    if (base === CommonConfig.QueueDesc) queue.descriptorTable = next;
    else if (base === CommonConfig.QueueDriver) queue.availableRing = next;
    else queue.usedRing = next;
  }

  private deviceFeatureWord(select: number): number {
    if (select === 0) return this.backend.features >>> 0;
    if (select === 1) return (1 << FEATURE_VERSION_1_HIGH_BIT) >>> 0;
    return 0;
  }

  private writeStatus(value: number): void {
    if (value === 0) {
      this.reset();
      return;
    }
    let status = value;
    if ((status & DeviceStatus.FeaturesOk) !== 0 && (this.status & DeviceStatus.FeaturesOk) === 0) {
      const low = this.driverFeatures[0] ?? 0;
      const high = this.driverFeatures[1] ?? 0;
      const acceptable =
        (low & ~this.deviceFeatureWord(0)) === 0 && (high & ~this.deviceFeatureWord(1)) === 0 && (high & (1 << FEATURE_VERSION_1_HIGH_BIT)) !== 0;
      if (!acceptable) status &= ~DeviceStatus.FeaturesOk;
    }
    const wasLive = this.live;
    this.status = (status | (this.status & DeviceStatus.NeedsReset)) & 0xff;
    if (!wasLive && this.live) {
      this.guard(() => { this.backend.activate(this.driverFeatures[0] ?? 0); });
    }
  }

  private enableQueue(queue: QueueState): void {
    this.guard(() => {
      if (queue.size > this.backend.maxQueueSize) {
        throw new VirtioDeviceError(`queue size ${String(queue.size)} exceeds the device maximum ${String(this.backend.maxQueueSize)}`);
      }
      queue.queue = new Virtqueue(this.dma, {
        size: queue.size,
        descriptorTable: queue.descriptorTable,
        availableRing: queue.availableRing,
        usedRing: queue.usedRing,
      });
      queue.enabled = true;
    });
  }

  private notify(index: number): void {
    if (!this.live || !Number.isInteger(index)) return;
    const queue = this.liveQueue(index);
    if (queue === undefined) return;
    this.guard(() => { this.backend.process(index, queue); });
  }

  private liveQueue(index: number): Virtqueue | undefined {
    if (!this.live) return undefined;
    return this.queues[index]?.queue;
  }

  private queueUsed(index: number): void {
    const queue = this.liveQueue(index);
    if (queue === undefined) return;
    let suppressed = false;
    this.guard(() => { suppressed = queue.interruptSuppressed(); });
    if (suppressed) return;
    this.isr |= ISR_QUEUE;
    this.updateIrq();
  }

  private configChanged(): void {
    this.configGeneration = (this.configGeneration + 1) & 0xff;
    this.isr |= ISR_CONFIG;
    this.updateIrq();
  }

  /** Runs device work; a protocol violation or refused DMA puts the device in NEEDS_RESET. */
  private guard(action: () => void): void {
    try {
      action();
    } catch (error) {
      if (!(error instanceof VirtioDeviceError || error instanceof DmaFault)) throw error;
      this.log(`virtio ${this.backend.name}: ${error.message}; device needs reset`);
      this.status |= DeviceStatus.NeedsReset;
      this.configChanged();
    }
  }

  private reset(): void {
    this.status = 0;
    this.driverFeatures.fill(0);
    this.deviceFeatureSelect = 0;
    this.driverFeatureSelect = 0;
    this.queueSelect = 0;
    this.isr = 0;
    for (let i = 0; i < this.queues.length; i++) this.queues[i] = emptyQueue(this.backend.maxQueueSize);
    this.backend.reset();
    this.updateIrq();
  }

  private updateIrq(): void {
    const asserted = this.isr !== 0;
    this.setInterruptStatus(asserted);
    this.irq.set(asserted && !this.interruptDisabled);
  }
}

function emptyQueue(size: number): QueueState {
  return { size, enabled: false, descriptorTable: 0, availableRing: 0, usedRing: 0, queue: undefined };
}

function writeU32(bytes: Uint8Array, offset: number, value: number): void {
  for (let i = 0; i < 4; i++) bytes[offset + i] = (value >>> (i * 8)) & 0xff;
}
