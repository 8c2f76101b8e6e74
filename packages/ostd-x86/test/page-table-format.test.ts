import { describe, expect, it } from "vitest";
import { PageFlags, PageStatus } from "@asterism/ostd";
import { x86PageTableFormat as format } from "../src/index.ts";

describe("x86-64 page-table entries", () => {
  it("encode leaves with user, writable and NX bits per the SDM", () => {
    const frame = 0x1234_5000;
    const readOnly = { lo: format.leafLo(frame, PageFlags.Read), hi: format.leafHi(frame, PageFlags.Read) };
    expect(readOnly.lo >>> 0).toBe(0x1234_5005);
    expect(readOnly.hi >>> 0).toBe(0x8000_0000);
    const all = PageFlags.Read | PageFlags.Write | PageFlags.Exec;
    expect(format.leafLo(frame, all) >>> 0).toBe(0x1234_5007);
    expect(format.leafHi(frame, all)).toBe(0);
    expect(format.flags(format.leafLo(frame, all), 0)).toBe(all);
    expect(format.address(format.leafLo(0x1_2345_6000, all), format.leafHi(0x1_2345_6000, all))).toBe(0x1_2345_6000);
  });

  it("keeps a no-access mapping non-present to the MMU but known to OSTD", () => {
    const lo = format.leafLo(0x8000, 0);
    expect(lo & 1).toBe(0);
    expect(format.isPresent(lo, format.leafHi(0x8000, 0))).toBe(true);
    expect(format.flags(lo, 0)).toBe(0);
    expect(format.address(lo, 0)).toBe(0x8000);
  });

  it("points tables with full rights so the leaf decides, and reads accessed/dirty bits", () => {
    expect(format.tableLo(0x3000) >>> 0).toBe(0x3007);
    expect(format.status(0x3007 | 0x20 | 0x40, 0)).toBe(PageStatus.Accessed | PageStatus.Dirty);
    expect(format.isPresent(0, 0)).toBe(false);
  });
});
