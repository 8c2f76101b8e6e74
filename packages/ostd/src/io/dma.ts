/**
 * DMA buffers: untyped memory a device may read or write, mapped in the IOMMU for that
 * device only.
 *
 * Both kinds are built from untyped segments, so a device can never be pointed at a page
 * table or other typed frame: OSTD maps into the IOMMU only what these classes own, checks
 * that every frame is untyped, and unmaps before the memory is released. Device addresses
 * equal physical addresses (the board's IOMMU translates one to one, it only filters).
 */
import { arch } from "../boot/machine-state.ts";
import { ErrorCode, OstdError, type Result, fail, ok } from "../error.ts";
import { Segment } from "../mm/frame.ts";
import { frameTable, FrameUsage } from "../mm/frames.ts";
import type { VmReader, VmWriter } from "../mm/vm-io.ts";
import type { PciFunction } from "./pci.ts";

export const DmaDirection = { ToDevice: "to-device", FromDevice: "from-device", Bidirectional: "bidirectional" } as const;
export type DmaDirection = (typeof DmaDirection)[keyof typeof DmaDirection];

function mapForDevice(device: PciFunction, segment: Segment, writable: boolean): Result<void> {
  if (!Segment.isSegment(segment)) return fail(ErrorCode.AccessDenied, "DMA needs a live segment made by OSTD");
  const table = frameTable();
  for (const pfn of Segment.frameNumbers(segment)) {
    if (table.usage(pfn) !== FrameUsage.Untyped) {
      return fail(ErrorCode.AccessDenied, `frame ${String(pfn)} is typed memory and cannot be given to a device`);
    }
  }
  // SAFETY: every page is an untyped frame owned by this DMA object until it unmaps it.
  arch().io.iommuMap(device.location, segment.paddr, segment.pageCount, writable);
  return ok(undefined);
}

function unmapForDevice(device: PciFunction, segment: Segment): void {
  // SAFETY: called by the owner before the memory is released; in-flight use is the driver's protocol.
  arch().io.iommuUnmap(device.location, segment.paddr, segment.pageCount);
}

abstract class DmaBuffer {
  readonly #device: PciFunction;
  readonly #segment: Segment;
  #live = true;

  protected constructor(device: PciFunction, segment: Segment) {
    this.#device = device;
    this.#segment = segment;
  }

  /** The address the device uses. */
  get deviceAddress(): number {
    return this.#segmentLive().paddr;
  }

  get size(): number {
    return this.#segmentLive().size;
  }

  reader(offset = 0, length?: number): VmReader {
    const segment = this.#segmentLive();
    return segment.reader(offset, length ?? segment.size - offset);
  }

  writer(offset = 0, length?: number): VmWriter {
    const segment = this.#segmentLive();
    return segment.writer(offset, length ?? segment.size - offset);
  }

  /** Revokes the device's access, then gives the memory back. */
  release(): void {
    const segment = this.#segmentLive();
    this.#live = false;
    unmapForDevice(this.#device, segment);
    this.releaseSegment(segment);
  }

  protected abstract releaseSegment(segment: Segment): void;

  protected ensureLive(): void {
    this.#segmentLive();
  }

  #segmentLive(): Segment {
    if (!this.#live) throw new OstdError(ErrorCode.BadState, "the DMA buffer was released");
    return this.#segment;
  }
}

/** Long-lived shared memory (descriptor rings): allocated and mapped together. */
export class DmaCoherent extends DmaBuffer {
  private constructor(device: PciFunction, segment: Segment) {
    super(device, segment);
  }

  static alloc(device: PciFunction, pageCount: number): Result<DmaCoherent> {
    const segment = Segment.alloc(pageCount);
    if (!segment.ok) return segment;
    const mapped = mapForDevice(device, segment.value, true);
    if (!mapped.ok) {
      segment.value.release();
      return mapped;
    }
    return ok(new DmaCoherent(device, segment.value));
  }

  protected releaseSegment(segment: Segment): void {
    segment.release();
  }
}

/**
 * A mapping of an existing segment for one transfer direction (packet and block buffers).
 * The stream holds its own references on the frames, so releasing the caller's segment
 * while the device may still use them cannot free them.
 */
export class DmaStream extends DmaBuffer {
  readonly direction: DmaDirection;

  private constructor(device: PciFunction, segment: Segment, direction: DmaDirection) {
    super(device, segment);
    this.direction = direction;
  }

  /** Maps `segment` for `device`. */
  static map(device: PciFunction, segment: Segment, direction: DmaDirection): Result<DmaStream> {
    const mapped = mapForDevice(device, segment, direction !== DmaDirection.ToDevice);
    return mapped.ok ? ok(new DmaStream(device, segment.clone(), direction)) : mapped;
  }

  /** Makes device writes visible to the CPU, or CPU writes to the device (coherent board: no-op). */
  sync(): void {
    this.ensureLive();
  }

  protected releaseSegment(segment: Segment): void {
    segment.release();
  }
}
