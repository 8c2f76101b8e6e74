/**
 * A host-side stand-in for an arch port, for unit tests of OSTD's arch-neutral logic
 * (frames, page tables, scheduling, I/O range checks). It has real RAM (a Uint8Array), a
 * simple page-table format, a scriptable CPU (tests decide what `enterUser` returns) and
 * recorders for port, MMIO, PCI and IOMMU traffic. End-to-end behaviour on the real board
 * is tested in ostd-x86 and through `osdk test`.
 */
import { TrapKind, type Arch, type ArchUserContext, type PageTableFormat } from "../../src/index.ts";

export const RAM_SIZE = 16 * 1024 * 1024;
export const USABLE_BASE = 1024 * 1024;
export const MMIO_BASE = 0xc000_0000;
export const DEVICE_BDF = 1 << 3;

const PRESENT = 1;
const WRITE = 2;
const EXEC = 4;
const NO_ACCESS = 8;
const ACCESSED = 16;
const DIRTY = 32;

/** Leaf: address | P | W | X; table: address | P | W | X. Only low 32 bits used (16 MiB RAM). */
export const fakeFormat: PageTableFormat = {
  levels: 4,
  indexBits: 9,
  userLimit: 2 ** 47,
  tableLo: (phys) => phys | PRESENT | WRITE | EXEC,
  tableHi: () => 0,
  leafLo: (phys, flags) => (flags & 7) === 0 ? phys | NO_ACCESS : phys | PRESENT | ((flags & 2) !== 0 ? WRITE : 0) | ((flags & 4) !== 0 ? EXEC : 0),
  leafHi: () => 0,
  isPresent: (lo) => (lo & (PRESENT | NO_ACCESS)) !== 0,
  address: (lo) => (lo & ~0xfff) >>> 0,
  flags: (lo) => (lo & PRESENT) === 0 ? 0 : 1 | (lo & WRITE) | (lo & EXEC),
  status: (lo) => ((lo & ACCESSED) !== 0 ? 1 : 0) | ((lo & DIRTY) !== 0 ? 2 : 0),
};

export class FakeContext implements ArchUserContext {
  readonly gprLo = new Int32Array(16);
  readonly gprHi = new Int32Array(16);
  rip = 0;
  rflags = 0x202;
  fsBase = 0;
  gsBase = 0;
  readonly fpu = new Uint8Array(512);
  saveFpu(into: Uint8Array): void {
    into.set(this.fpu);
  }
  restoreFpu(from: Uint8Array): void {
    this.fpu.set(from.subarray(0, 512));
  }
  copyFrom(other: ArchUserContext): void {
    if (!(other instanceof FakeContext)) throw new Error("foreign context");
    this.gprLo.set(other.gprLo);
    this.gprHi.set(other.gprHi);
    this.rip = other.rip;
    this.rflags = other.rflags;
    this.fsBase = other.fsBase;
    this.gsBase = other.gsBase;
    this.fpu.set(other.fpu);
  }
}

export interface FakeMachine {
  readonly arch: Arch;
  readonly ram: Uint8Array;
  /** What `enterUser` does; the default makes a syscall. */
  onEnterUser: (context: FakeContext) => TrapKind;
  exception: { vector: number; errorCode: number; faultAddress: number };
  /** Interrupt vectors waiting to be taken. */
  readonly pendingVectors: number[];
  readonly cr3Writes: number[];
  readonly flushedPages: number[];
  readonly routes: Map<number, number>;
  readonly levelPins: Set<number>;
  readonly portWrites: { port: number; value: number }[];
  readonly iommuMappings: { bdf: number; base: number; pages: number; writable: boolean }[];
  readonly console: string[];
  poweredOff: number | undefined;
  nowNs: number;
}

export function createFakeMachine(): FakeMachine {
  const ram = new Uint8Array(RAM_SIZE);
  const config = new Map<number, number>([[0x00, 0x1af4], [0x02, 0x1041], [0x0a, 0x02], [0x0b, 0x01], [0x10, MMIO_BASE]]);
  let barProbe = false;
  const decoder = new TextDecoder();
  const machine: FakeMachine = {
    ram,
    onEnterUser: () => TrapKind.Syscall,
    exception: { vector: 0, errorCode: 0, faultAddress: 0 },
    pendingVectors: [],
    cr3Writes: [],
    flushedPages: [],
    routes: new Map(),
    levelPins: new Set(),
    portWrites: [],
    iommuMappings: [],
    console: [],
    poweredOff: undefined,
    nowNs: 0,
    arch: undefined as unknown as Arch,
  };
  const arch: Arch = {
    physicalMemory: ram,
    bootInfo: {
      commandLine: "init=/bin/sh quiet",
      memoryRegions: [
        { base: 0, length: USABLE_BASE, kind: "reserved" },
        { base: USABLE_BASE, length: RAM_SIZE - USABLE_BASE - 0x10000, kind: "usable" },
        { base: RAM_SIZE - 0x10000, length: 0x10000, kind: "initramfs" },
        { base: MMIO_BASE, length: 0x100000, kind: "mmio" },
      ],
      initramfs: { base: RAM_SIZE - 0x10000, length: 4 },
    },
    pageTable: fakeFormat,
    cpu: {
      createContext: () => new FakeContext(),
      enterUser: (context) => {
        if (!(context instanceof FakeContext)) throw new Error("foreign context");
        return machine.onEnterUser(context);
      },
      get exceptionVector() { return machine.exception.vector; },
      get errorCode() { return machine.exception.errorCode; },
      get faultAddress() { return machine.exception.faultAddress; },
      pageFaultVector: 14,
      pageFaultWriteBit: 2,
      pageFaultPresentBit: 1,
      activatePageTable: (root) => { machine.cr3Writes.push(root); },
      flushPage: (address) => { machine.flushedPages.push(address); },
      flushAll: () => { machine.flushedPages.push(-1); },
      syscallAbi: { number: 0, args: [7, 6, 2, 10, 8, 9], result: 0 },
      sanitizeUserFlags: (flags) => (flags & 0x240dd5) | 0x202,
    },
    interrupts: {
      take: () => machine.pendingVectors.shift() ?? -1,
      get pending() { return machine.pendingVectors.length > 0; },
      endOfInterrupt: () => undefined,
      timerVector: 0x20,
      firstDeviceVector: 0x30,
      lastDeviceVector: 0x33,
      route: (irq, vector, level) => { machine.routes.set(irq, vector); if (level) machine.levelPins.add(irq); },
      startTimer: () => undefined,
      halt: () => new Promise((resolve) => setTimeout(resolve, 1)),
      pollHost: () => new Promise((resolve) => setImmediate(resolve)),
    },
    io: {
      sensitivePorts: [{ base: 0xcf8, length: 8 }, { base: 0x604, length: 4 }],
      sensitiveMmio: [{ base: 0xfee0_0000, length: 0x1000 }],
      portRead: () => 0xff,
      portWrite: (port, _size, value) => { machine.portWrites.push({ port, value }); },
      mmioRead: () => 0,
      mmioWrite: () => undefined,
      pciConfigRead: (bdf, offset, size) => {
        if (bdf !== DEVICE_BDF) return size === 4 ? 0xffff_ffff : size === 2 ? 0xffff : 0xff;
        if (offset === 0x10 && barProbe) return 0xffff_f000;
        const word = offset & ~3;
        const value = offset === word ? (config.get(offset) ?? 0) | ((config.get(offset + 2) ?? 0) << 16) : (config.get(offset) ?? 0);
        return size === 4 ? value >>> 0 : value & (size === 2 ? 0xffff : 0xff);
      },
      pciConfigWrite: (bdf, offset, _size, value) => {
        if (bdf !== DEVICE_BDF) return;
        if (offset === 0x10) barProbe = value === 0xffff_ffff;
        else config.set(offset, value);
      },
      iommuMap: (bdf, base, pages, writable) => { machine.iommuMappings.push({ bdf, base, pages, writable }); },
      iommuUnmap: (bdf, base, pages) => {
        const index = machine.iommuMappings.findIndex((m) => m.bdf === bdf && m.base === base && m.pages === pages);
        machine.iommuMappings.splice(index, 1);
      },
    },
    clock: {
      monotonicNs: () => machine.nowNs,
      realtimeNs: () => 1_700_000_000_000_000_000 + machine.nowNs,
      deterministic: true,
    },
    consoleWrite: (bytes) => { machine.console.push(decoder.decode(bytes)); },
    powerOff: (code) => { machine.poweredOff = code; },
  };
  Object.assign(machine, { arch });
  return machine;
}
