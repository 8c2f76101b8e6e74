/**
 * The IOMMU: the DMA remapping unit between PCI devices and RAM.
 *
 * Every device access to guest memory (virtqueue rings, request headers, data buffers) goes
 * through `DmaPort`, which checks each page against the mappings the driver made for that
 * device's requester ID. Anything else (a page not mapped, a write to a read-only mapping,
 * an address beyond RAM) throws `DmaFault`, which the device turns into a device error
 * (virtio: DEVICE_NEEDS_RESET). This is what lets ostd-x86 promise that a device can only
 * touch DMA buffers, never page tables or another process's memory.
 *
 * The model is identity-mapped (device addresses are physical addresses): the point is the
 * permission check, as with an IOMMU in passthrough-with-protection mode. Permissions are a
 * byte per RAM page per requester (0 none, 1 read, 2 read-write), created on first map.
 */

import type { Iommu, PhysAddr } from "../machine.ts";
import { PAGE_SIZE } from "../mmu/page-table-entry.ts";

const Permission = { None: 0, Read: 1, ReadWrite: 2 } as const;

/** A device access the IOMMU refused; the device reports it as a device error. */
export class DmaFault extends Error {
  override readonly name = "DmaFault";
  readonly requester: number;
  readonly address: number;

  constructor(requester: number, address: number, length: number, write: boolean) {
    super(
      `IOMMU: DMA ${write ? "write" : "read"} of ${length} bytes at 0x${address.toString(16)} ` +
        `by requester ${formatRequester(requester)} is outside what the driver mapped`,
    );
    this.requester = requester;
    this.address = address;
  }
}

export function formatRequester(requester: number): string {
  const bus = requester >>> 8;
  const device = (requester >>> 3) & 0x1f;
  const fn = requester & 7;
  return `${bus.toString(16).padStart(2, "0")}:${device.toString(16).padStart(2, "0")}.${fn}`;
}

export class BoardIommu implements Iommu {
  private readonly ram: Uint8Array;
  private readonly pageCount: number;
  private readonly permissions = new Map<number, Uint8Array>();

  constructor(ram: Uint8Array) {
    this.ram = ram;
    this.pageCount = Math.floor(ram.byteLength / PAGE_SIZE);
  }

  map(requester: number, base: PhysAddr, pageCount: number, writable: boolean): void {
    this.setRange(requester, base, pageCount, writable ? Permission.ReadWrite : Permission.Read);
  }

  unmap(requester: number, base: PhysAddr, pageCount: number): void {
    this.setRange(requester, base, pageCount, Permission.None);
  }

  /** The DMA view of RAM for one device. */
  port(requester: number): DmaPort {
    return new DmaPort(this, requester);
  }

  /** Throws `DmaFault` unless `length` bytes at `address` are mapped for `requester`. */
  check(requester: number, address: number, length: number, write: boolean): void {
    const table = this.permissions.get(requester);
    const end = address + length;
    if (table === undefined || !Number.isInteger(address) || address < 0 || length < 0 || end > this.ram.byteLength) {
      throw new DmaFault(requester, address, length, write);
    }
    const needed = write ? Permission.ReadWrite : Permission.Read;
    const lastPage = length === 0 ? -1 : Math.floor((end - 1) / PAGE_SIZE);
    for (let page = Math.floor(address / PAGE_SIZE); page <= lastPage; page++) {
      if ((table[page] ?? Permission.None) < needed) throw new DmaFault(requester, address, length, write);
    }
  }

  /** RAM itself, for `DmaPort` after a successful check. */
  memory(): Uint8Array {
    return this.ram;
  }

  private setRange(requester: number, base: PhysAddr, pageCount: number, permission: number): void {
    if (!Number.isInteger(requester) || requester < 0 || requester > 0xffff) {
      throw new RangeError(`IOMMU: requester ID ${String(requester)} is not a 16-bit bus/device/function`);
    }
    if (!Number.isInteger(base) || base % PAGE_SIZE !== 0 || !Number.isInteger(pageCount) || pageCount < 0) {
      throw new RangeError(`IOMMU: mapping at 0x${base.toString(16)} (${String(pageCount)} pages) is not page aligned`);
    }
    const first = base / PAGE_SIZE;
    if (first + pageCount > this.pageCount) {
      throw new RangeError(`IOMMU: mapping at 0x${base.toString(16)} (${String(pageCount)} pages) is beyond RAM`);
    }
    let table = this.permissions.get(requester);
    if (table === undefined) {
      table = new Uint8Array(this.pageCount);
      this.permissions.set(requester, table);
    }
    table.fill(permission, first, first + pageCount);
  }
}

/**
 * One device's window onto RAM: bounds- and permission-checked little-endian accessors and
 * copies. Every method throws `DmaFault` instead of touching an unmapped byte.
 */
export class DmaPort {
  private readonly iommu: BoardIommu;
  readonly requester: number;

  constructor(iommu: BoardIommu, requester: number) {
    this.iommu = iommu;
    this.requester = requester;
  }

  read(address: number, length: number): Uint8Array {
    this.iommu.check(this.requester, address, length, false);
    return this.iommu.memory().slice(address, address + length);
  }

  /** Copies RAM into `into` (no allocation), e.g. a device's data buffer. */
  readInto(address: number, into: Uint8Array): void {
    this.iommu.check(this.requester, address, into.length, false);
    into.set(this.iommu.memory().subarray(address, address + into.length));
  }

  /**
   * A live view of `length` bytes of RAM at `address` after the permission check, so host
   * I/O (a disk read) can land in guest memory without a copy. Valid until the next unmap.
   */
  window(address: number, length: number, write: boolean): Uint8Array {
    this.iommu.check(this.requester, address, length, write);
    return this.iommu.memory().subarray(address, address + length);
  }

  write(address: number, data: Uint8Array): void {
    this.iommu.check(this.requester, address, data.length, true);
    this.iommu.memory().set(data, address);
  }

  readU16(address: number): number {
    this.iommu.check(this.requester, address, 2, false);
    const ram = this.iommu.memory();
    return (ram[address] ?? 0) | ((ram[address + 1] ?? 0) << 8);
  }

  readU32(address: number): number {
    this.iommu.check(this.requester, address, 4, false);
    const ram = this.iommu.memory();
    return ((ram[address] ?? 0) | ((ram[address + 1] ?? 0) << 8) | ((ram[address + 2] ?? 0) << 16) | ((ram[address + 3] ?? 0) << 24)) >>> 0;
  }

  /** A u64 field as a double; exact below 2^53, which covers every physical address. */
  readU64(address: number): number {
    return this.readU32(address) + this.readU32(address + 4) * 0x1_0000_0000;
  }

  writeU16(address: number, value: number): void {
    this.iommu.check(this.requester, address, 2, true);
    const ram = this.iommu.memory();
    ram[address] = value & 0xff;
    ram[address + 1] = (value >>> 8) & 0xff;
  }

  writeU32(address: number, value: number): void {
    this.iommu.check(this.requester, address, 4, true);
    const ram = this.iommu.memory();
    ram[address] = value & 0xff;
    ram[address + 1] = (value >>> 8) & 0xff;
    ram[address + 2] = (value >>> 16) & 0xff;
    ram[address + 3] = (value >>> 24) & 0xff;
  }
}
