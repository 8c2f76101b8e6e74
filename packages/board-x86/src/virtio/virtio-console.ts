/**
 * virtio-console (virtio spec 1.2, 5.3) with a single port and no optional features: queue 0
 * (receiveq) carries host input into buffers the driver posted, queue 1 (transmitq) carries
 * guest output to the host. It is the faster alternative to the 16550 for a kernel that has
 * a virtio driver: one notify moves a whole buffer instead of one port write per byte.
 *
 * Host input that arrives while no receive buffer is posted waits in a queue, so nothing is
 * lost between the driver's refills.
 */

import type { DmaPort } from "../iommu/iommu.ts";
import type { Virtqueue } from "./virtqueue.ts";
import { VirtioDeviceType, readConfigBytes, type VirtioBackend, type VirtioTransportPort } from "./virtio-backend.ts";

const RECEIVE_QUEUE = 0;
const TRANSMIT_QUEUE = 1;

export class VirtioConsole implements VirtioBackend {
  readonly name = "console";
  readonly deviceType = VirtioDeviceType.Console;
  readonly classCode = 0x07_8000;
  readonly queueCount = 2;
  readonly maxQueueSize = 128;
  readonly features = 0;
  private readonly dma: DmaPort;
  private readonly output: (bytes: Uint8Array) => void;
  private readonly config = new Uint8Array(12);
  private readonly pending: Uint8Array[] = [];
  private transport: VirtioTransportPort | undefined;

  constructor(dma: DmaPort, output: (bytes: Uint8Array) => void) {
    this.dma = dma;
    this.output = output;
  }

  attach(transport: VirtioTransportPort): void {
    this.transport = transport;
  }

  activate(): void {
    this.deliver();
  }

  reset(): void {
    return;
  }

  /** Bytes typed on the host for the guest. */
  receive(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.pending.push(bytes.slice());
    this.transport?.guard(() => { this.deliver(); });
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
      for (const buffer of chain.readable) this.output(this.dma.read(buffer.address, buffer.length));
      return 0;
    });
    if (transmitted) this.transport?.queueUsed(TRANSMIT_QUEUE);
  }

  /** Copies pending host input into posted receive buffers. */
  private deliver(): void {
    const queue = this.transport?.queue(RECEIVE_QUEUE);
    if (queue === undefined) return;
    let completed = false;
    while (this.pending.length > 0 && queue.hasAvailable()) {
      const chain = queue.pop();
      if (chain === undefined) break;
      let written = 0;
      for (const buffer of chain.writable) {
        let room = buffer.length;
        while (room > 0 && this.pending.length > 0) {
          const head = this.pending[0] ?? new Uint8Array(0);
          const part = head.subarray(0, room);
          this.dma.write(buffer.address + (buffer.length - room), part);
          room -= part.length;
          written += part.length;
          if (part.length === head.length) this.pending.shift();
          else this.pending[0] = head.subarray(part.length);
        }
      }
      queue.push(chain.head, written);
      completed = true;
    }
    if (completed) this.transport?.queueUsed(RECEIVE_QUEUE);
  }
}
