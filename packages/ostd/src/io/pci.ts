/**
 * PCI: enumeration and configuration access on behalf of drivers.
 *
 * The configuration mechanism itself is sensitive (a BAR rewritten over the APIC or RAM
 * would turn device registers into a window on kernel memory), so OSTD does it: it
 * enumerates functions, sizes their BARs once, and lets drivers read configuration space
 * freely but write only outside the BAR and ROM registers. A driver reaches its device's
 * registers through `PciFunction.ioMem`/`ioPort`, which go through the IoMem/IoPort checks.
 */
import { arch } from "../boot/machine-state.ts";
import { ErrorCode, type Result, fail } from "../error.ts";
import { IoMem, IoPort } from "./io-access.ts";

export const PciConfig = {
  VendorId: 0x00,
  DeviceId: 0x02,
  Command: 0x04,
  Status: 0x06,
  Revision: 0x08,
  ClassCode: 0x09,
  HeaderType: 0x0e,
  Bar0: 0x10,
  CapabilitiesPointer: 0x34,
  InterruptLine: 0x3c,
  InterruptPin: 0x3d,
} as const;

const COMMAND_IO = 1;
const COMMAND_MEMORY = 2;
const COMMAND_BUS_MASTER = 4;
const PROTECTED_RANGES = [
  { start: 0x10, end: 0x28 }, // BAR0..BAR5
  { start: 0x30, end: 0x34 }, // expansion ROM base
] as const;

export interface PciBar {
  readonly index: number;
  readonly kind: "memory" | "io";
  readonly base: number;
  readonly size: number;
}

export interface PciCapability {
  readonly id: number;
  readonly offset: number;
}

type Width = 1 | 2 | 4;

let enumerated: readonly PciFunction[] | undefined;

export class PciFunction {
  /** bus << 8 | device << 3 | function: also the IOMMU requester ID. */
  readonly location: number;
  readonly vendorId: number;
  readonly deviceId: number;
  readonly classCode: number;
  readonly subclass: number;
  readonly bars: readonly PciBar[];

  private constructor(location: number, bars: readonly PciBar[]) {
    this.location = location;
    this.vendorId = readConfig(location, PciConfig.VendorId, 2);
    this.deviceId = readConfig(location, PciConfig.DeviceId, 2);
    this.classCode = readConfig(location, PciConfig.ClassCode + 2, 1);
    this.subclass = readConfig(location, PciConfig.ClassCode + 1, 1);
    this.bars = bars;
  }

  /**
   * Every function on bus 0 (the board has one bus). The bus is scanned (and the BARs
   * sized) once; later calls return the same functions.
   */
  static enumerate(): readonly PciFunction[] {
    enumerated ??= PciFunction.#scanBus();
    return enumerated;
  }

  static #scanBus(): PciFunction[] {
    const found: PciFunction[] = [];
    for (let device = 0; device < 32; device++) {
      const functions = (readConfig(device << 3, PciConfig.HeaderType, 1) & 0x80) !== 0 ? 8 : 1;
      for (let fn = 0; fn < functions; fn++) {
        const location = (device << 3) | fn;
        if (readConfig(location, PciConfig.VendorId, 2) === 0xffff) continue;
        found.push(new PciFunction(location, sizeBars(location)));
      }
    }
    return found;
  }

  get interruptPin(): number {
    return this.configRead(PciConfig.InterruptPin, 1);
  }

  get interruptLine(): number {
    return this.configRead(PciConfig.InterruptLine, 1);
  }

  configRead(offset: number, size: Width): number {
    if (!validAccess(offset, size)) return 0xffff_ffff >>> (32 - size * 8);
    return readConfig(this.location, offset, size);
  }

  /** Writes configuration space; BARs and the ROM base are OSTD's and refused. */
  configWrite(offset: number, size: Width, value: number): Result<void> {
    if (!validAccess(offset, size)) return fail(ErrorCode.InvalidArgs, `bad config access at 0x${offset.toString(16)}`);
    for (const range of PROTECTED_RANGES) {
      if (offset < range.end && range.start < offset + size) {
        return fail(ErrorCode.AccessDenied, `config offset 0x${offset.toString(16)} (BAR/ROM) is managed by OSTD`);
      }
    }
    // SAFETY: BAR and ROM registers are excluded, so device windows cannot move.
    arch().io.pciConfigWrite(this.location, offset, size, value);
    return { ok: true, value: undefined };
  }

  /** Enables memory and I/O decoding and lets the device master DMA (through the IOMMU). */
  enable(): void {
    const command = this.configRead(PciConfig.Command, 2);
    this.configWrite(PciConfig.Command, 2, command | COMMAND_IO | COMMAND_MEMORY | COMMAND_BUS_MASTER);
  }

  /** The capability list (vendor-specific capabilities describe virtio structures). */
  capabilities(): PciCapability[] {
    const found: PciCapability[] = [];
    if ((this.configRead(PciConfig.Status, 2) & 0x10) === 0) return found;
    let offset = this.configRead(PciConfig.CapabilitiesPointer, 1) & 0xfc;
    for (let guard = 0; offset !== 0 && guard < 48; guard++) {
      found.push({ id: this.configRead(offset, 1), offset });
      offset = this.configRead(offset + 1, 1) & 0xfc;
    }
    return found;
  }

  /** The registers behind a memory BAR. */
  ioMem(barIndex: number): Result<IoMem> {
    const bar = this.bars.find((candidate) => candidate.index === barIndex);
    if (bar?.kind !== "memory") return fail(ErrorCode.InvalidArgs, `BAR ${String(barIndex)} is not a memory BAR`);
    return IoMem.acquire(bar.base, bar.size);
  }

  /** The ports behind an I/O BAR. */
  ioPort(barIndex: number): Result<IoPort> {
    const bar = this.bars.find((candidate) => candidate.index === barIndex);
    if (bar?.kind !== "io") return fail(ErrorCode.InvalidArgs, `BAR ${String(barIndex)} is not an I/O BAR`);
    return IoPort.acquire(bar.base, bar.size);
  }
}

function validAccess(offset: number, size: Width): boolean {
  return Number.isInteger(offset) && offset >= 0 && offset + size <= 256 && offset % size === 0;
}

function readConfig(location: number, offset: number, size: Width): number {
  // SAFETY: reads of configuration space have no side effects on the board's devices.
  return arch().io.pciConfigRead(location, offset, size);
}

/** Sizes each BAR by the standard write-ones probe (OSTD-only: it briefly moves the BAR). */
function sizeBars(location: number): PciBar[] {
  const io = arch().io;
  const bars: PciBar[] = [];
  for (let index = 0; index < 6; index++) {
    const offset = PciConfig.Bar0 + index * 4;
    const original = readConfig(location, offset, 4);
    // SAFETY: the probe restores the BAR immediately; decoding is off during enumeration.
    io.pciConfigWrite(location, offset, 4, 0xffff_ffff);
    const probed = readConfig(location, offset, 4);
    // SAFETY: restores the value the firmware (board) assigned.
    io.pciConfigWrite(location, offset, 4, original);
    if (probed === 0 || probed === 0xffff_ffff) continue;
    const isIo = (original & 1) === 1;
    const is64 = !isIo && ((original >>> 1) & 3) === 2;
    const mask = isIo ? 0xffff_fffc : 0xffff_fff0;
    const size = (~(probed & mask) + 1) >>> 0;
    let base = (original & mask) >>> 0;
    if (is64) base += readConfig(location, offset + 4, 4) * 0x1_0000_0000;
    bars.push({ index, kind: isIo ? "io" : "memory", base, size });
    if (is64) index++;
  }
  return bars;
}
