/**
 * Just enough of a virtio-console driver (virtio 1.x over the modern PCI transport) for the
 * device-DMA invariant test: find the device, negotiate VERSION_1, set up the transmit queue
 * with rings at addresses the test chooses, and send one buffer. Written against OSTD's
 * public API only (PciFunction, IoMem, DmaCoherent, DmaStream), as a service driver would be.
 */
import {
  assert, DmaCoherent, DmaDirection, DmaStream, IoMem, PciFunction, Segment, unwrap,
} from "../../src/index.ts";

const VIRTIO_VENDOR = 0x1af4;
const CONSOLE_DEVICE = 0x1043;
const CAP_VENDOR = 0x09;
const CapType = { Common: 1, Notify: 2 } as const;
const Common = {
  DriverFeatureSelect: 0x08,
  DriverFeature: 0x0c,
  DeviceStatus: 0x14,
  QueueSelect: 0x16,
  QueueSize: 0x18,
  QueueEnable: 0x1c,
  QueueNotifyOff: 0x1e,
  QueueDesc: 0x20,
  QueueDriver: 0x28,
  QueueDevice: 0x30,
} as const;
export const DeviceStatus = { Acknowledge: 1, Driver: 2, DriverOk: 4, FeaturesOk: 8, NeedsReset: 0x40 } as const;
const TRANSMIT_QUEUE = 1;
const QUEUE_SIZE = 8;
/** Ring offsets inside the one-page ring area: descriptors, available ring, used ring. */
export const RingLayout = { descriptors: 0, available: 0x400, used: 0x800 } as const;

interface Window {
  readonly io: IoMem;
  readonly offset: number;
}

export class VirtioConsoleProbe {
  readonly device: PciFunction;
  readonly #common: Window;
  readonly #notify: Window;
  readonly #notifyMultiplier: number;

  private constructor(device: PciFunction, common: Window, notify: Window, multiplier: number) {
    this.device = device;
    this.#common = common;
    this.#notify = notify;
    this.#notifyMultiplier = multiplier;
  }

  static find(): VirtioConsoleProbe {
    const device = PciFunction.enumerate().find((fn) => fn.vendorId === VIRTIO_VENDOR && fn.deviceId === CONSOLE_DEVICE);
    assert(device !== undefined, "the board has a virtio-console");
    device.enable();
    const windows = new Map<number, Window & { readonly cap: number }>();
    for (const cap of device.capabilities()) {
      if (cap.id !== CAP_VENDOR) continue;
      const type = device.configRead(cap.offset + 3, 1);
      const bar = device.configRead(cap.offset + 4, 1);
      const offset = device.configRead(cap.offset + 8, 4);
      windows.set(type, { io: unwrap(device.ioMem(bar)), offset, cap: cap.offset });
    }
    const common = windows.get(CapType.Common);
    const notify = windows.get(CapType.Notify);
    assert(common !== undefined && notify !== undefined, "common and notify capabilities");
    return new VirtioConsoleProbe(device, common, notify, device.configRead(notify.cap + 16, 4));
  }

  get status(): number {
    return this.#read(Common.DeviceStatus, 1);
  }

  /** Resets the device and sets up the transmit queue with the given ring addresses. */
  start(descriptors: number, available: number, used: number): void {
    this.#write(Common.DeviceStatus, 1, 0);
    this.#write(Common.DeviceStatus, 1, DeviceStatus.Acknowledge | DeviceStatus.Driver);
    this.#write(Common.DriverFeatureSelect, 4, 1);
    this.#write(Common.DriverFeature, 4, 1); // VIRTIO_F_VERSION_1 (feature bit 32)
    this.#write(Common.DriverFeatureSelect, 4, 0);
    this.#write(Common.DriverFeature, 4, 0);
    this.#write(Common.DeviceStatus, 1, DeviceStatus.Acknowledge | DeviceStatus.Driver | DeviceStatus.FeaturesOk);
    assert((this.status & DeviceStatus.FeaturesOk) !== 0, "features accepted");
    this.#write(Common.QueueSelect, 2, TRANSMIT_QUEUE);
    this.#write(Common.QueueSize, 2, QUEUE_SIZE);
    this.#writeAddress(Common.QueueDesc, descriptors);
    this.#writeAddress(Common.QueueDriver, available);
    this.#writeAddress(Common.QueueDevice, used);
    this.#write(Common.QueueEnable, 2, 1);
    this.#write(Common.DeviceStatus, 1, DeviceStatus.Acknowledge | DeviceStatus.Driver | DeviceStatus.FeaturesOk | DeviceStatus.DriverOk);
  }

  /** Puts one device-readable buffer on the transmit queue and notifies the device. */
  send(rings: DmaCoherent, buffer: Segment, length: number): DmaStream {
    const stream = unwrap(DmaStream.map(this.device, buffer, DmaDirection.ToDevice));
    const descriptor = rings.writer(RingLayout.descriptors, 16);
    unwrap(descriptor.writeU64(stream.deviceAddress));
    unwrap(descriptor.writeUint(4, length));
    unwrap(descriptor.writeUint(2, 0));
    unwrap(descriptor.writeUint(2, 0));
    const available = rings.writer(RingLayout.available, 6);
    unwrap(available.writeUint(2, 0));
    unwrap(available.writeUint(2, 1));
    unwrap(available.writeUint(2, 0));
    const notifyOffset = this.#read(Common.QueueNotifyOff, 2) * this.#notifyMultiplier;
    this.#notify.io.write(this.#notify.offset + notifyOffset, 2, TRANSMIT_QUEUE);
    return stream;
  }

  reset(): void {
    this.#write(Common.DeviceStatus, 1, 0);
  }

  #read(register: number, size: 1 | 2 | 4): number {
    return this.#common.io.read(this.#common.offset + register, size);
  }

  #write(register: number, size: 1 | 2 | 4, value: number): void {
    this.#common.io.write(this.#common.offset + register, size, value);
  }

  #writeAddress(register: number, address: number): void {
    this.#write(register, 4, address % 0x1_0000_0000);
    this.#write(register + 4, 4, Math.floor(address / 0x1_0000_0000));
  }
}
