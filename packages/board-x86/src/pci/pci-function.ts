/**
 * One PCI function's 256-byte configuration space (PCI Local Bus spec 3.0, type-0 header):
 * identification, command/status, memory BARs with the all-ones size probe, the capability
 * list, and the interrupt line/pin. Devices (virtio) build on it; the bus (pci-bus.ts) routes
 * configuration cycles and MMIO to it.
 *
 * Only the fields the spec makes writable are writable: the command register's I/O, memory
 * and bus-master enables, the cache-line and latency bytes, BAR address bits, the interrupt
 * line, and capability bytes a device declares writable. Everything else reads back as the
 * device set it.
 */

export const PciConfig = {
  VendorId: 0x00,
  DeviceId: 0x02,
  Command: 0x04,
  Status: 0x06,
  Revision: 0x08,
  ClassCode: 0x09,
  CacheLineSize: 0x0c,
  LatencyTimer: 0x0d,
  HeaderType: 0x0e,
  Bar0: 0x10,
  SubsystemVendorId: 0x2c,
  SubsystemId: 0x2e,
  CapabilitiesPointer: 0x34,
  InterruptLine: 0x3c,
  InterruptPin: 0x3d,
} as const;

export const PciCommand = { Io: 1, Memory: 2, BusMaster: 4, InterruptDisable: 0x400 } as const;
const STATUS_CAPABILITIES_LIST = 0x10;
const STATUS_INTERRUPT = 0x08;
const FIRST_CAPABILITY = 0x40;
const BAR_COUNT = 6;

/** Handles accesses to one memory BAR; offsets are from the BAR's base. */
export interface BarHandler {
  read(offset: number, size: number): number;
  write(offset: number, size: number, value: number): void;
}

/** Bytes of configuration space that the device serves itself (e.g. virtio's PCI_CFG access window). */
export interface ConfigWindow {
  readonly offset: number;
  readonly length: number;
  read(offset: number, size: number): number;
  write(offset: number, size: number, value: number): void;
}

export interface PciIdentity {
  readonly vendorId: number;
  readonly deviceId: number;
  readonly revision: number;
  /** Class, subclass and programming interface, 24 bits. */
  readonly classCode: number;
  readonly subsystemVendorId: number;
  readonly subsystemId: number;
  /** 1 = INTA# ... 4 = INTD#, 0 = none. */
  readonly interruptPin: number;
}

export class PciFunction {
  readonly config = new Uint8Array(256);
  private readonly writableMask = new Uint8Array(256);
  private readonly barSizes = new Array<number>(BAR_COUNT).fill(0);
  private readonly barHandlers = new Array<BarHandler | undefined>(BAR_COUNT).fill(undefined);
  private configWindow: ConfigWindow | undefined;
  private nextCapability = FIRST_CAPABILITY;
  private lastCapability = 0;

  constructor(identity: PciIdentity) {
    this.setU16(PciConfig.VendorId, identity.vendorId);
    this.setU16(PciConfig.DeviceId, identity.deviceId);
    this.config[PciConfig.Revision] = identity.revision;
    this.setU32(PciConfig.ClassCode - 1, ((identity.classCode << 8) | identity.revision) >>> 0);
    this.setU16(PciConfig.SubsystemVendorId, identity.subsystemVendorId);
    this.setU16(PciConfig.SubsystemId, identity.subsystemId);
    this.config[PciConfig.InterruptPin] = identity.interruptPin;
    this.setU16(PciConfig.Command, 0);
    this.writableMask[PciConfig.Command] = PciCommand.Io | PciCommand.Memory | PciCommand.BusMaster;
    this.writableMask[PciConfig.Command + 1] = PciCommand.InterruptDisable >>> 8;
    this.writableMask[PciConfig.CacheLineSize] = 0xff;
    this.writableMask[PciConfig.LatencyTimer] = 0xff;
    this.writableMask[PciConfig.InterruptLine] = 0xff;
  }

  /** Declares memory BAR `index` (32-bit, non-prefetchable) of `size` bytes (a power of two >= 4 KiB). */
  addMemoryBar(index: number, size: number, handler: BarHandler): void {
    this.barSizes[index] = size;
    this.barHandlers[index] = handler;
    const mask = ~(size - 1) >>> 0;
    const offset = PciConfig.Bar0 + index * 4;
    for (let byte = 0; byte < 4; byte++) this.writableMask[offset + byte] = (mask >>> (byte * 8)) & 0xff;
  }

  /**
   * Appends a capability (its bytes from the ID on; the next pointer is filled in) and
   * returns its offset. `writable` marks bytes the driver may change (by capability offset).
   */
  addCapability(body: Uint8Array, writable: readonly number[] = []): number {
    const offset = this.nextCapability;
    if (offset + body.length > 256) throw new RangeError("PCI: capability list overflows configuration space");
    this.config.set(body, offset);
    this.config[offset + 1] = 0;
    if (this.lastCapability === 0) this.config[PciConfig.CapabilitiesPointer] = offset;
    else this.config[this.lastCapability + 1] = offset;
    for (const byte of writable) this.writableMask[offset + byte] = 0xff;
    this.lastCapability = offset;
    this.nextCapability = (offset + body.length + 3) & ~3;
    this.setU16(PciConfig.Status, (this.getU16(PciConfig.Status) | STATUS_CAPABILITIES_LIST) & 0xffff);
    return offset;
  }

  /** Routes accesses that fall entirely inside `window` to the device. */
  setConfigWindow(window: ConfigWindow): void {
    this.configWindow = window;
  }

  readConfig(offset: number, size: number): number {
    const window = this.windowFor(offset, size);
    if (window !== undefined) return window.read(offset - window.offset, size);
    let value = 0;
    for (let byte = size - 1; byte >= 0; byte--) value = (value << 8) | (this.config[offset + byte] ?? 0xff);
    return value >>> 0;
  }

  writeConfig(offset: number, size: number, value: number): void {
    const window = this.windowFor(offset, size);
    if (window !== undefined) {
      window.write(offset - window.offset, size, value);
      return;
    }
    for (let byte = 0; byte < size; byte++) {
      const at = offset + byte;
      const mask = this.writableMask[at] ?? 0;
      const current = this.config[at] ?? 0;
      this.config[at] = (current & ~mask) | ((value >>> (byte * 8)) & mask);
    }
  }

  private windowFor(offset: number, size: number): ConfigWindow | undefined {
    const window = this.configWindow;
    if (window === undefined || offset < window.offset || offset + size > window.offset + window.length) return undefined;
    return window;
  }

  /** Reflects the device's interrupt condition in the status register's interrupt bit. */
  setInterruptStatus(asserted: boolean): void {
    const status = this.getU16(PciConfig.Status);
    this.setU16(PciConfig.Status, asserted ? status | STATUS_INTERRUPT : status & ~STATUS_INTERRUPT);
  }

  get interruptDisabled(): boolean {
    return (this.getU16(PciConfig.Command) & PciCommand.InterruptDisable) !== 0;
  }

  get memoryEnabled(): boolean {
    return (this.getU16(PciConfig.Command) & PciCommand.Memory) !== 0;
  }

  get busMasterEnabled(): boolean {
    return (this.getU16(PciConfig.Command) & PciCommand.BusMaster) !== 0;
  }

  barCount(): number {
    return BAR_COUNT;
  }

  barSize(index: number): number {
    return this.barSizes[index] ?? 0;
  }

  barHandler(index: number): BarHandler | undefined {
    return this.barHandlers[index];
  }

  barBase(index: number): number {
    return (this.readConfig(PciConfig.Bar0 + index * 4, 4) & ~0xf) >>> 0;
  }

  getU16(offset: number): number {
    return this.readConfig(offset, 2);
  }

  setU16(offset: number, value: number): void {
    this.config[offset] = value & 0xff;
    this.config[offset + 1] = (value >>> 8) & 0xff;
  }

  setU32(offset: number, value: number): void {
    for (let byte = 0; byte < 4; byte++) this.config[offset + byte] = (value >>> (byte * 8)) & 0xff;
  }
}
