import { describe, expect, it } from "vitest";
import { BootInfoError, parseBootInfo } from "../src/index.ts";

const BLOCK = 0x1000;

function ram(): { bytes: Uint8Array; view: DataView } {
  const bytes = new Uint8Array(0x10000);
  return { bytes, view: new DataView(bytes.buffer) };
}

function writeBlock(view: DataView, fields: Record<number, number>): void {
  view.setUint32(BLOCK, 0x42545341, true);
  for (const [offset, value] of Object.entries(fields)) view.setUint32(BLOCK + Number(offset), value, true);
}

describe("parseBootInfo", () => {
  it("reads the command line, memory map and initramfs", () => {
    const { bytes, view } = ram();
    bytes.set(new TextEncoder().encode("quiet"), 0x2000);
    view.setUint32(0x3000, 0x4000, true);
    view.setUint32(0x3008, 0xc000, true);
    view.setUint32(0x3010, 1, true);
    writeBlock(view, { 8: 0x2000, 16: 5, 24: 0x5000, 32: 16, 40: 0x3000, 48: 1 });
    const info = parseBootInfo(bytes, BLOCK);
    expect(info.commandLine).toBe("quiet");
    expect(info.memoryRegions).toEqual([{ base: 0x4000, length: 0xc000, kind: "usable" }]);
    expect(info.initramfs).toEqual({ base: 0x5000, length: 16 });
  });

  it("rejects a malformed block with a clear error", () => {
    const { bytes, view } = ram();
    expect(() => parseBootInfo(bytes, BLOCK)).toThrow(/bad boot-info magic/);
    expect(() => parseBootInfo(bytes, 0xfff0)).toThrow(/outside RAM/);
    writeBlock(view, { 8: 0xfff0, 16: 0x100 });
    expect(() => parseBootInfo(bytes, BLOCK)).toThrow(/command line outside RAM/);
    writeBlock(view, { 8: 0, 16: 0, 40: 0x3000, 48: 100_000 });
    expect(() => parseBootInfo(bytes, BLOCK)).toThrow(BootInfoError);
    writeBlock(view, { 8: 0, 16: 0, 40: 0, 48: 0, 24: 0xff00, 32: 0x1000 });
    expect(() => parseBootInfo(bytes, BLOCK)).toThrow(/initramfs outside RAM/);
  });
});
