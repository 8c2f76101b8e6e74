/**
 * virtio-blk (virtio spec 1.2, 5.2) backed by a host file: read, write, flush and get-ID
 * requests on 512-byte sectors, with the capacity, block size and read-only flag in its
 * configuration space.
 *
 * Requests are served synchronously when the driver notifies the queue, reading and writing
 * the host file straight into guest buffers (checked by the IOMMU first), so one notify can
 * move a whole ring of requests. A request that is out of range, mis-sized or of an unknown
 * type completes with IOERR/UNSUPP as the spec says; a malformed chain (no room for the
 * status byte, a header shorter than 16 bytes) is a device error; a host I/O error is IOERR
 * plus a line on the board log.
 */

import { closeSync, fstatSync, fsyncSync, openSync, readSync, writeSync } from "node:fs";
import type { DmaPort } from "../iommu/iommu.ts";
import { BoardError } from "../board-error.ts";
import { VirtioDeviceError, type Buffer, type DescriptorChain, type Virtqueue } from "./virtqueue.ts";
import { VirtioDeviceType, readConfigBytes, type VirtioBackend, type VirtioTransportPort } from "./virtio-backend.ts";

export const SECTOR_SIZE = 512;
export const BlkFeature = { ReadOnly: 1 << 5, BlockSize: 1 << 6, Flush: 1 << 9, IndirectDescriptors: 1 << 28 } as const;
export const BlkRequest = { In: 0, Out: 1, Flush: 4, GetId: 8 } as const;
export const BlkStatus = { Ok: 0, IoError: 1, Unsupported: 2 } as const;
const HEADER_SIZE = 16;
const ID_LENGTH = 20;

export interface DiskOptions {
  readonly path: string;
  readonly readOnly?: boolean;
}

export class VirtioBlk implements VirtioBackend {
  readonly name = "blk";
  readonly deviceType = VirtioDeviceType.Block;
  readonly classCode = 0x01_8000;
  readonly queueCount = 1;
  readonly maxQueueSize = 256;
  readonly features: number;
  private readonly fd: number;
  private readonly readOnly: boolean;
  private readonly capacitySectors: number;
  private readonly config = new Uint8Array(0x40);
  private readonly id: Uint8Array;
  private readonly dma: DmaPort;
  private readonly path: string;
  private readonly log: (message: string) => void;
  private transport: VirtioTransportPort | undefined;

  constructor(disk: DiskOptions, dma: DmaPort, log: (message: string) => void) {
    this.readOnly = disk.readOnly ?? false;
    this.path = disk.path;
    this.log = log;
    try {
      this.fd = openSync(disk.path, this.readOnly ? "r" : "r+");
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new BoardError(`virtio-blk: cannot open disk image "${disk.path}": ${reason}`);
    }
    this.dma = dma;
    this.capacitySectors = Math.floor(fstatSync(this.fd).size / SECTOR_SIZE);
    this.features = BlkFeature.BlockSize | BlkFeature.Flush | BlkFeature.IndirectDescriptors | (this.readOnly ? BlkFeature.ReadOnly : 0);
    const view = new DataView(this.config.buffer);
    view.setUint32(0, this.capacitySectors % 0x1_0000_0000, true);
    view.setUint32(4, Math.floor(this.capacitySectors / 0x1_0000_0000), true);
    view.setUint32(20, SECTOR_SIZE, true);
    this.id = new TextEncoder().encode(`asterism-${disk.path.split("/").pop() ?? "disk"}`.slice(0, ID_LENGTH));
  }

  attach(transport: VirtioTransportPort): void {
    this.transport = transport;
  }

  activate(): void {
    return;
  }

  reset(): void {
    return;
  }

  readConfig(offset: number, size: number): number {
    return readConfigBytes(this.config, offset, size);
  }

  writeConfig(): void {
    return;
  }

  process(index: number, queue: Virtqueue): void {
    if (queue.serveAll((chain) => this.serve(chain))) this.transport?.queueUsed(index);
  }

  /** Closes the host file (power-off). */
  close(): void {
    closeSync(this.fd);
  }

  /** Serves one request and returns the number of bytes written into the chain. */
  private serve(chain: DescriptorChain): number {
    const header = this.gather(chain.readable, 0, HEADER_SIZE);
    const type = readU32(header, 0);
    const sector = readU32(header, 8) + readU32(header, 12) * 0x1_0000_0000;
    const statusBuffer = chain.writable.at(-1);
    if (statusBuffer === undefined || statusBuffer.length === 0) {
      throw new VirtioDeviceError("block request has no writable status byte");
    }
    const statusAddress = statusBuffer.address + statusBuffer.length - 1;
    const dataIn = trimLast(chain.writable);
    let status: number = BlkStatus.Ok;
    let written = 1;
    switch (type) {
      case BlkRequest.In:
        status = this.transfer(sector, dataIn, false);
        if (status === BlkStatus.Ok) written += totalLength(dataIn);
        break;
      case BlkRequest.Out:
        status = this.readOnly ? BlkStatus.IoError : this.transfer(sector, skip(chain.readable, HEADER_SIZE), true);
        break;
      case BlkRequest.Flush:
        if (!this.readOnly) status = this.hostIo(() => { fsyncSync(this.fd); });
        break;
      case BlkRequest.GetId: {
        const first = dataIn[0];
        if (first === undefined) break;
        const id = new Uint8Array(Math.min(ID_LENGTH, first.length));
        id.set(this.id.subarray(0, id.length));
        this.dma.write(first.address, id);
        written += id.length;
        break;
      }
      default:
        status = BlkStatus.Unsupported;
    }
    this.dma.write(statusAddress, Uint8Array.of(status));
    return written;
  }

  /** Moves sectors between the file and guest buffers; returns a virtio-blk status. */
  private transfer(sector: number, buffers: readonly Buffer[], toDisk: boolean): number {
    const length = totalLength(buffers);
    if (length % SECTOR_SIZE !== 0 || sector + length / SECTOR_SIZE > this.capacitySectors) return BlkStatus.IoError;
    let position = sector * SECTOR_SIZE;
    for (const buffer of buffers) {
      const window = this.dma.window(buffer.address, buffer.length, !toDisk);
      const start = position;
      const status = this.hostIo(() => {
        let done = 0;
        while (done < window.length) {
          const part = window.subarray(done);
          const moved = toDisk ? writeSync(this.fd, part, 0, part.length, start + done) : readSync(this.fd, part, 0, part.length, start + done);
          if (moved <= 0) throw new Error(`short ${toDisk ? "write" : "read"} at byte ${String(start + done)}`);
          done += moved;
        }
      });
      if (status !== BlkStatus.Ok) return status;
      position += window.length;
    }
    return BlkStatus.Ok;
  }

  /** Runs a host file operation; a host I/O error becomes IOERR for the guest and a log line. */
  private hostIo(operation: () => void): number {
    try {
      operation();
      return BlkStatus.Ok;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.log(`virtio-blk: host I/O error on "${this.path}": ${reason}`);
      return BlkStatus.IoError;
    }
  }

  /** The first `length` bytes of the readable buffers, starting at byte `from`. */
  private gather(buffers: readonly Buffer[], from: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    let filled = 0;
    for (const buffer of skip(buffers, from)) {
      if (filled === length) break;
      const take = Math.min(buffer.length, length - filled);
      out.set(this.dma.read(buffer.address, take), filled);
      filled += take;
    }
    if (filled < length) throw new VirtioDeviceError(`block request header is ${String(filled)} bytes, expected ${String(length)}`);
    return out;
  }
}

function readU32(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset] ?? 0) | ((bytes[offset + 1] ?? 0) << 8) | ((bytes[offset + 2] ?? 0) << 16) | ((bytes[offset + 3] ?? 0) << 24)) >>> 0;
}

function totalLength(buffers: readonly Buffer[]): number {
  return buffers.reduce((sum, buffer) => sum + buffer.length, 0);
}

/** The buffers after dropping their first `bytes` bytes. */
function skip(buffers: readonly Buffer[], bytes: number): Buffer[] {
  const out: Buffer[] = [];
  let remaining = bytes;
  for (const buffer of buffers) {
    if (remaining >= buffer.length) {
      remaining -= buffer.length;
      continue;
    }
    out.push({ address: buffer.address + remaining, length: buffer.length - remaining });
    remaining = 0;
  }
  return out;
}

/** The buffers without their last byte (the status byte). */
function trimLast(buffers: readonly Buffer[]): Buffer[] {
  const out = buffers.slice();
  const last = out.pop();
  if (last !== undefined && last.length > 1) out.push({ address: last.address, length: last.length - 1 });
  return out;
}
