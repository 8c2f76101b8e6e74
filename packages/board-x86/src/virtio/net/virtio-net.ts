/**
 * virtio-net (virtio spec 1.2, 5.1) with one receive/transmit queue pair and the MAC
 * feature, wired to the user-mode NAT (user-nat.ts) on the host side.
 *
 * Every packet on either queue starts with the 12-byte `virtio_net_hdr` (VERSION_1 layout,
 * num_buffers included); no offloads are offered, so on receive the header is zero except num_buffers = 1, and it is
 * ignored on transmit. Frames for the guest wait in the device until the driver posts
 * receive buffers, so the link never drops a frame; a receive chain too small for its frame
 * is a device error (without MRG_RXBUF a frame must fit one chain).
 */

import type { NetworkConfig } from "../../board-config.ts";
import type { DmaPort } from "../../iommu/iommu.ts";
import { VirtioDeviceError, type Virtqueue } from "../virtqueue.ts";
import { VirtioDeviceType, readConfigBytes, type VirtioBackend, type VirtioTransportPort } from "../virtio-backend.ts";
import { UserNat } from "./user-nat.ts";

export const NET_HEADER_SIZE = 12;
export const NetFeature = { Mac: 1 << 5 } as const;
const RECEIVE_QUEUE = 0;
const TRANSMIT_QUEUE = 1;
const MAX_FRAME = 1514;
const MAX_PENDING_FRAMES = 4096;
const DEFAULT_MAC = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56] as const;

export class VirtioNet implements VirtioBackend {
  readonly name = "net";
  readonly deviceType = VirtioDeviceType.Network;
  readonly classCode = 0x02_0000;
  readonly queueCount = 2;
  readonly maxQueueSize = 256;
  readonly features = NetFeature.Mac;
  private readonly dma: DmaPort;
  private readonly log: (message: string) => void;
  private readonly config = new Uint8Array(8);
  private readonly nat: UserNat;
  private readonly pending: Uint8Array[] = [];
  private transport: VirtioTransportPort | undefined;

  constructor(network: NetworkConfig, dma: DmaPort, log: (message: string) => void, activity: () => void) {
    this.dma = dma;
    this.log = log;
    const mac = Uint8Array.from(network.mac ?? DEFAULT_MAC);
    if (mac.length !== 6) throw new RangeError("virtio-net: a MAC address has 6 bytes");
    this.config.set(mac, 0);
    this.nat = new UserNat({
      guestMac: mac,
      hostAddress: network.hostAddress ?? "127.0.0.1",
      forwards: network.forwards ?? [],
      deliver: (frame) => { this.enqueue(frame); },
      log,
      activity,
    });
  }

  attach(transport: VirtioTransportPort): void {
    this.transport = transport;
  }

  activate(): void {
    this.deliver();
  }

  reset(): void {
    this.pending.length = 0;
  }

  close(): void {
    this.nat.close();
  }

  readConfig(offset: number, size: number): number {
    return readConfigBytes(this.config, offset, size);
  }

  writeConfig(): void {
    return;
  }

  process(index: number, queue: Virtqueue): void {
    if (index === RECEIVE_QUEUE) {
      this.deliver();
      return;
    }
    if (index !== TRANSMIT_QUEUE) return;
    const transmitted = queue.serveAll((chain) => {
      const length = chain.readable.reduce((sum, buffer) => sum + buffer.length, 0);
      if (length < NET_HEADER_SIZE || length > NET_HEADER_SIZE + 65535) {
        throw new VirtioDeviceError(`transmit chain of ${String(length)} bytes has no room for the 12-byte header or is too long`);
      }
      const packet = new Uint8Array(length);
      let at = 0;
      for (const buffer of chain.readable) {
        this.dma.readInto(buffer.address, packet.subarray(at, at + buffer.length));
        at += buffer.length;
      }
      this.nat.handleFrame(packet.subarray(NET_HEADER_SIZE));
      return 0;
    });
    if (transmitted) this.transport?.queueUsed(TRANSMIT_QUEUE);
  }

  private enqueue(frame: Uint8Array): void {
    if (frame.length > MAX_FRAME) {
      this.log(`net: dropping a ${String(frame.length)}-byte frame larger than the MTU`);
      return;
    }
    if (this.pending.length >= MAX_PENDING_FRAMES) {
      this.log("net: the guest is not posting receive buffers; dropping a frame");
      return;
    }
    this.pending.push(frame);
    if (this.transport === undefined) return;
    this.transport.guard(() => { this.deliver(); });
  }

  /** Copies pending frames into posted receive chains. */
  private deliver(): void {
    const queue = this.transport?.queue(RECEIVE_QUEUE);
    if (queue === undefined) return;
    let completed = false;
    while (this.pending.length > 0 && queue.hasAvailable()) {
      const chain = queue.pop();
      const frame = this.pending.shift();
      if (chain === undefined || frame === undefined) break;
      const packet = new Uint8Array(NET_HEADER_SIZE + frame.length);
      packet.set(frame, NET_HEADER_SIZE);
      packet[10] = 1;
      const room = chain.writable.reduce((sum, buffer) => sum + buffer.length, 0);
      if (room < packet.length) throw new VirtioDeviceError(`receive chain of ${String(room)} bytes cannot hold a ${String(packet.length)}-byte packet`);
      let at = 0;
      for (const buffer of chain.writable) {
        if (at >= packet.length) break;
        const part = packet.subarray(at, at + buffer.length);
        this.dma.write(buffer.address, part);
        at += part.length;
      }
      queue.push(chain.head, packet.length);
      completed = true;
    }
    if (completed) this.transport?.queueUsed(RECEIVE_QUEUE);
  }
}
