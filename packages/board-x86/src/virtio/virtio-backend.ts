/**
 * What a virtio device type (block, network, console) implements so that the PCI transport
 * can carry it, plus the transport constants those devices share (virtio spec 1.2, 2.1 and
 * 4.1.4.3). The transport owns status, features, queues and interrupts; a backend only
 * parses requests from its queues and owns its device-specific configuration space.
 */

import type { Virtqueue } from "./virtqueue.ts";

export const VIRTIO_VENDOR_ID = 0x1af4;

/** VIRTIO_F_VERSION_1 is feature bit 32: bit 0 of the high feature word. */
export const FEATURE_VERSION_1_HIGH_BIT = 0;

export const DeviceStatus = {
  Acknowledge: 1,
  Driver: 2,
  DriverOk: 4,
  FeaturesOk: 8,
  NeedsReset: 0x40,
  Failed: 0x80,
} as const;

/** Offsets in the common configuration structure (struct virtio_pci_common_cfg). */
export const CommonConfig = {
  DeviceFeatureSelect: 0x00,
  DeviceFeature: 0x04,
  DriverFeatureSelect: 0x08,
  DriverFeature: 0x0c,
  ConfigMsixVector: 0x10,
  NumQueues: 0x12,
  DeviceStatus: 0x14,
  ConfigGeneration: 0x15,
  QueueSelect: 0x16,
  QueueSize: 0x18,
  QueueMsixVector: 0x1a,
  QueueEnable: 0x1c,
  QueueNotifyOff: 0x1e,
  QueueDesc: 0x20,
  QueueDriver: 0x28,
  QueueDevice: 0x30,
  End: 0x38,
} as const;

/** Virtio device types (virtio spec 1.2, 5). */
export const VirtioDeviceType = { Network: 1, Block: 2, Console: 3 } as const;

/** What the transport offers a backend. */
export interface VirtioTransportPort {
  /** The queue if it is enabled and the device is live (DRIVER_OK), else undefined. */
  queue(index: number): Virtqueue | undefined;
  /** Signals the driver that `index`'s used ring advanced (unless it suppressed interrupts). */
  queueUsed(index: number): void;
  /** Signals a configuration change. */
  configChanged(): void;
  /** Runs asynchronous device work (host input) with the transport's error handling. */
  guard(action: () => void): void;
}

export interface VirtioBackend {
  readonly name: string;
  readonly deviceType: number;
  /** PCI class code (24 bits). */
  readonly classCode: number;
  readonly queueCount: number;
  readonly maxQueueSize: number;
  /** Device-specific feature bits 0..31 (VERSION_1 is added by the transport). */
  readonly features: number;
  attach(transport: VirtioTransportPort): void;
  /** DRIVER_OK: the device may start using its queues; `features` are the accepted bits 0..31. */
  activate(features: number): void;
  /** The driver notified queue `index`. */
  process(index: number, queue: Virtqueue): void;
  readConfig(offset: number, size: number): number;
  writeConfig(offset: number, size: number, value: number): void;
  reset(): void;
}

/** Reads `size` bytes little-endian from a device configuration image. */
export function readConfigBytes(config: Uint8Array, offset: number, size: number): number {
  let value = 0;
  for (let byte = Math.min(size, 4) - 1; byte >= 0; byte--) value = (value << 8) | (config[offset + byte] ?? 0);
  return value >>> 0;
}
