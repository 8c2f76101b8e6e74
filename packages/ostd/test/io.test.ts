import { describe, expect, it } from "vitest";
import {
  bootInfo, DmaCoherent, DmaDirection, DmaStream, ErrorCode, IoMem, IoPort, IrqLine, PAGE_SIZE, PciFunction,
  Segment, unwrap,
} from "../src/index.ts";
import { fakeMachine, inKernel } from "./support/kernel.ts";
import { DEVICE_BDF, MMIO_BASE, RAM_SIZE } from "./support/fake-arch.ts";

function denied(result: { ok: boolean; error?: { code: string } }): string | undefined {
  return result.ok ? undefined : result.error?.code;
}

describe("IoMem and IoPort", () => {
  it("refuse RAM, boot data and interrupt-controller registers", () =>
    inKernel(() => {
      expect(denied(IoMem.acquire(0x100000, PAGE_SIZE))).toBe(ErrorCode.AccessDenied);
      expect(denied(IoMem.acquire(RAM_SIZE - PAGE_SIZE, 2 * PAGE_SIZE))).toBe(ErrorCode.AccessDenied);
      expect(denied(IoMem.acquire(0xfee0_0000, 4))).toBe(ErrorCode.AccessDenied);
      expect(denied(IoMem.acquire(0xfedf_f000, 2 * PAGE_SIZE))).toBe(ErrorCode.AccessDenied);
      expect(denied(IoMem.acquire(-4, 8))).toBe(ErrorCode.InvalidArgs);
      const window = unwrap(IoMem.acquire(MMIO_BASE, PAGE_SIZE));
      expect(window.read(0, 4)).toBe(0);
      expect(() => window.read(PAGE_SIZE - 2, 4)).toThrow(/outside the window/);
    }));

  it("refuse the PCI configuration and power-off ports", () =>
    inKernel(() => {
      const machine = fakeMachine();
      expect(denied(IoPort.acquire(0xcf8, 4))).toBe(ErrorCode.AccessDenied);
      expect(denied(IoPort.acquire(0xcfc, 1))).toBe(ErrorCode.AccessDenied);
      expect(denied(IoPort.acquire(0x600, 8))).toBe(ErrorCode.AccessDenied);
      expect(denied(IoPort.acquire(0xffff, 2))).toBe(ErrorCode.InvalidArgs);
      const com1 = unwrap(IoPort.acquire(0x3f8, 8));
      com1.write(0, 1, 0x41);
      expect(machine.portWrites.at(-1)).toEqual({ port: 0x3f8, value: 0x41 });
      expect(() => { com1.write(7, 4, 0); }).toThrow(/outside the window/);
    }));
});

describe("PCI", () => {
  it("enumerates functions and sizes BARs, but keeps BAR registers to itself", () =>
    inKernel(() => {
      const devices = PciFunction.enumerate();
      expect(devices.map((d) => d.location)).toEqual([DEVICE_BDF]);
      const device = devices[0];
      if (device === undefined) throw new Error("no device");
      expect(device.vendorId).toBe(0x1af4);
      expect(device.bars).toEqual([{ index: 0, kind: "memory", base: MMIO_BASE, size: PAGE_SIZE }]);
      expect(denied(device.configWrite(0x10, 4, 0xfee0_0000))).toBe(ErrorCode.AccessDenied);
      expect(denied(device.configWrite(0x12, 2, 0))).toBe(ErrorCode.AccessDenied);
      expect(device.configWrite(0x04, 2, 6).ok).toBe(true);
      expect(unwrap(device.ioMem(0)).length).toBe(PAGE_SIZE);
      expect(denied(device.ioPort(0))).toBe(ErrorCode.InvalidArgs);
    }));
});

describe("DMA", () => {
  it("maps only untyped memory for the device and unmaps it on release", () =>
    inKernel(() => {
      const machine = fakeMachine();
      const device = PciFunction.enumerate()[0];
      if (device === undefined) throw new Error("no device");
      const ring = unwrap(DmaCoherent.alloc(device, 2));
      expect(machine.iommuMappings).toEqual([{ bdf: DEVICE_BDF, base: ring.deviceAddress, pages: 2, writable: true }]);
      unwrap(ring.writer(8).write(Uint8Array.of(1, 2)));
      expect([...unwrap(ring.reader(8, 2).readBytes(2))]).toEqual([1, 2]);
      const buffer = unwrap(Segment.alloc(1));
      const probe = buffer.frame(0);
      const stream = unwrap(DmaStream.map(device, buffer, DmaDirection.ToDevice));
      expect(machine.iommuMappings.at(-1)).toMatchObject({ base: buffer.paddr, writable: false });
      buffer.release();
      expect(probe.refCount).toBe(2);
      stream.sync();
      stream.release();
      expect(probe.refCount).toBe(1);
      probe.release();
      ring.release();
      expect(machine.iommuMappings).toEqual([]);
      expect(() => ring.deviceAddress).toThrow(/released/);
    }));

  it("refuses a forged segment", () =>
    inKernel(() => {
      const device = PciFunction.enumerate()[0];
      if (device === undefined) throw new Error("no device");
      const forged = Object.create(Segment.prototype) as Segment;
      expect(denied(DmaStream.map(device, forged, DmaDirection.FromDevice))).toBe(ErrorCode.AccessDenied);
    }));
});

describe("IRQ lines and boot info", () => {
  it("route a pin once and run out of vectors cleanly", () =>
    inKernel(() => {
      const machine = fakeMachine();
      const line = unwrap(IrqLine.forPin(5));
      expect(machine.routes.get(5)).toBe(line.vector);
      expect(denied(IrqLine.forPin(5))).toBe(ErrorCode.Busy);
      expect(denied(IrqLine.forPin(99))).toBe(ErrorCode.InvalidArgs);
      const pci = unwrap(IrqLine.forPin(17, "level"));
      expect(machine.levelPins.has(17)).toBe(true);
      pci.release();
      const more = [IrqLine.alloc(), IrqLine.alloc(), IrqLine.alloc(), IrqLine.alloc()];
      expect(more.filter((r) => !r.ok).length).toBe(1);
      line.release();
      expect(machine.routes.get(5)).toBe(-1);
      for (const result of more) if (result.ok) result.value.release();
    }));

  it("exposes the command line, memory map and a copy of the initramfs", () =>
    inKernel(() => {
      const machine = fakeMachine();
      machine.ram.set([0x30, 0x37, 0x30, 0x37], RAM_SIZE - 0x10000);
      const info = bootInfo();
      expect(info.commandLine).toBe("init=/bin/sh quiet");
      expect(info.memoryRegions.some((r) => r.kind === "usable")).toBe(true);
      const initramfs = info.readInitramfs();
      expect(initramfs && new TextDecoder().decode(initramfs)).toBe("0707");
      initramfs?.fill(0);
      expect(machine.ram[RAM_SIZE - 0x10000]).toBe(0x30);
    }));
});
