import { describe, expect, it } from "vitest";
import { BoardIommu, DmaFault } from "../../src/iommu/iommu.ts";

const DEVICE_A = 1 << 3;
const DEVICE_B = 2 << 3;

function setup() {
  const ram = new Uint8Array(1 << 20);
  const iommu = new BoardIommu(ram);
  return { ram, iommu, a: iommu.port(DEVICE_A), b: iommu.port(DEVICE_B) };
}

describe("IOMMU", () => {
  it("refuses every access before the driver maps anything", () => {
    const { a } = setup();
    expect(() => a.read(0x1000, 4)).toThrow(DmaFault);
    expect(() => a.writeU32(0x1000, 1)).toThrow(DmaFault);
  });

  it("allows exactly the mapped pages, per requester", () => {
    const { iommu, a, b, ram } = setup();
    iommu.map(DEVICE_A, 0x4000, 2, true);
    a.writeU32(0x4ffc, 0xdeadbeef);
    a.writeU32(0x5ffc, 7);
    expect(a.readU32(0x4ffc)).toBe(0xdeadbeef);
    expect(ram[0x4ffc]).toBe(0xef);
    expect(() => a.readU32(0x3ffc)).toThrow(DmaFault);
    expect(() => a.readU32(0x5ffe)).toThrow(DmaFault);
    expect(() => b.readU32(0x4000)).toThrow(/requester 00:02\.0/);
  });

  it("read-only mappings refuse device writes", () => {
    const { iommu, a } = setup();
    iommu.map(DEVICE_A, 0x8000, 1, false);
    expect(a.readU16(0x8000)).toBe(0);
    expect(() => a.write(0x8000, Uint8Array.of(1))).toThrow(/DMA write of 1 bytes at 0x8000/);
    expect(() => a.window(0x8000, 16, true)).toThrow(DmaFault);
    expect(a.window(0x8000, 16, false).length).toBe(16);
  });

  it("unmap revokes access", () => {
    const { iommu, a } = setup();
    iommu.map(DEVICE_A, 0x10000, 4, true);
    iommu.unmap(DEVICE_A, 0x11000, 1);
    expect(() => a.read(0x10f00, 0x200)).toThrow(DmaFault);
    expect(a.read(0x12000, 0x1000).length).toBe(0x1000);
  });

  it("rejects malformed mappings and addresses beyond RAM", () => {
    const { iommu, a } = setup();
    expect(() => { iommu.map(DEVICE_A, 0x123, 1, true); }).toThrow(/not page aligned/);
    expect(() => { iommu.map(DEVICE_A, 0xff000, 2, true); }).toThrow(/beyond RAM/);
    expect(() => { iommu.map(0x10000, 0, 1, true); }).toThrow(/requester ID/);
    iommu.map(DEVICE_A, 0xff000, 1, true);
    expect(() => a.read(0xfff00, 0x200)).toThrow(DmaFault);
    expect(() => a.read(-8, 4)).toThrow(DmaFault);
    expect(() => a.read(Number.NaN, 4)).toThrow(DmaFault);
  });
});
