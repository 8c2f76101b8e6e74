/**
 * PCI bus 0 and the host bridge's configuration mechanism #1: a kernel writes an address
 * (enable bit, bus, device, function, register) to port 0xCF8 and moves data through ports
 * 0xCFC..0xCFF. Absent functions read as all-ones, as on real hardware, so probing is safe.
 *
 * The bus also decodes memory: an MMIO access that falls in a function's memory BAR, while
 * that function's memory decode is enabled, goes to the BAR's handler. Like PC firmware, the
 * board assigns BARs from `BoardLayout.pciMmioBase` upward and enables decode and bus
 * mastering before the kernel runs; the kernel may move them.
 */

import { BoardLayout } from "../machine.ts";
import { PciCommand, PciConfig, type BarHandler, type PciFunction } from "./pci-function.ts";

const ENABLE_BIT = 0x8000_0000;
const MAX_DEVICES = 32;

export interface BarHit {
  readonly handler: BarHandler;
  readonly offset: number;
}

export class PciBus {
  private readonly devices = new Array<PciFunction | undefined>(MAX_DEVICES).fill(undefined);
  private address = 0;
  private nextBarBase: number = BoardLayout.pciMmioBase;

  /** Plugs `fn` into slot `device` of bus 0 (function 0), assigning its BARs. */
  attach(device: number, fn: PciFunction): void {
    if (this.devices[device] !== undefined) throw new RangeError(`PCI: slot ${String(device)} is taken`);
    this.devices[device] = fn;
    for (let bar = 0; bar < fn.barCount(); bar++) {
      const size = fn.barSize(bar);
      if (size === 0) continue;
      const base = Math.ceil(this.nextBarBase / size) * size;
      fn.setU32(PciConfig.Bar0 + bar * 4, base);
      this.nextBarBase = base + size;
    }
    fn.setU16(PciConfig.Command, PciCommand.Memory | PciCommand.BusMaster);
  }

  /** Requester ID of the function in slot `device` (bus 0, function 0). */
  static requesterId(device: number): number {
    return device << 3;
  }

  /** Port 0xCF8..0xCFF. */
  readPort(port: number, size: number): number {
    if (port === 0xcf8 && size === 4) return this.address;
    if (port < 0xcfc) return 0xffff_ffff >>> (32 - size * 8);
    const fn = this.selected();
    const offset = (this.address & 0xfc) + (port - 0xcfc);
    if (fn === undefined) return 0xffff_ffff >>> (32 - size * 8);
    return fn.readConfig(offset, size);
  }

  writePort(port: number, size: number, value: number): void {
    if (port === 0xcf8 && size === 4) {
      this.address = value >>> 0;
      return;
    }
    if (port < 0xcfc) return;
    const fn = this.selected();
    if (fn === undefined) return;
    fn.writeConfig((this.address & 0xfc) + (port - 0xcfc), size, value);
  }

  /** The BAR handler that decodes physical `address`, or undefined. */
  decode(address: number): BarHit | undefined {
    for (const fn of this.devices) {
      if (fn === undefined || !fn.memoryEnabled) continue;
      for (let bar = 0; bar < fn.barCount(); bar++) {
        const size = fn.barSize(bar);
        const handler = fn.barHandler(bar);
        if (size === 0 || handler === undefined) continue;
        const base = fn.barBase(bar);
        if (address >= base && address < base + size) return { handler, offset: address - base };
      }
    }
    return undefined;
  }

  private selected(): PciFunction | undefined {
    if ((this.address & ENABLE_BIT) === 0) return undefined;
    const bus = (this.address >>> 16) & 0xff;
    const device = (this.address >>> 11) & 0x1f;
    const fn = (this.address >>> 8) & 7;
    if (bus !== 0 || fn !== 0) return undefined;
    return this.devices[device];
  }
}
