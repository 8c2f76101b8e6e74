import { describe, expect, it } from "vitest";
import { Prot } from "../src/elf/load-plan.ts";
import { VmAreas, type VmArea } from "../src/mm/vm-areas.ts";

const area = (start: number, end: number, prot: number = Prot.Read | Prot.Write, name = "anon"): VmArea => ({ start, end, prot, backing: undefined, name });
const ranges = (areas: VmAreas): [number, number, number][] => areas.areas.map((a) => [a.start, a.end, a.prot]);

describe("VmAreas", () => {
  it("inserts sorted and finds by address", () => {
    const areas = new VmAreas();
    areas.insert(area(0x5000, 0x6000));
    areas.insert(area(0x1000, 0x3000));
    expect(ranges(areas).map((r) => r[0])).toEqual([0x1000, 0x5000]);
    expect(areas.find(0x2fff)?.start).toBe(0x1000);
    expect(areas.find(0x3000)).toBeUndefined();
    expect(() => { areas.insert(area(0x1001, 0x2000)); }).toThrow(RangeError);
  });

  it("munmap splits an area and moves the file backing along", () => {
    const areas = new VmAreas();
    const bytes = new Uint8Array(0x4000);
    areas.insert({ ...area(0x10000, 0x14000), backing: { bytes, offset: 0x1000, length: 0x2800 } });
    areas.remove(0x11000, 0x12000);
    expect(ranges(areas).map((r) => [r[0], r[1]])).toEqual([[0x10000, 0x11000], [0x12000, 0x14000]]);
    expect(areas.areas[1]?.backing).toEqual({ bytes, offset: 0x3000, length: 0x800 });
    expect(areas.covers(0x10000, 0x14000)).toBe(false);
    expect(areas.covers(0x12000, 0x14000)).toBe(true);
  });

  it("MAP_FIXED replaces what it overlaps", () => {
    const areas = new VmAreas();
    areas.insert(area(0x1000, 0x5000, Prot.Read));
    areas.insert(area(0x2000, 0x3000, Prot.Write));
    expect(ranges(areas)).toEqual([[0x1000, 0x2000, Prot.Read], [0x2000, 0x3000, Prot.Write], [0x3000, 0x5000, Prot.Read]]);
  });

  it("mprotect splits at the edges", () => {
    const areas = new VmAreas();
    areas.insert(area(0x1000, 0x4000, Prot.Read | Prot.Write));
    areas.protect(0x2000, 0x3000, Prot.Read);
    expect(ranges(areas)).toEqual([[0x1000, 0x2000, 3], [0x2000, 0x3000, 1], [0x3000, 0x4000, 3]]);
  });

  it("finds free space top-down and resizes the heap", () => {
    const areas = new VmAreas();
    areas.insert(area(0x7000, 0x8000));
    areas.insert(area(0x3000, 0x4000, Prot.Read, "[heap]"));
    expect(areas.findFree(0x1000, 0x1000, 0x10000)).toBe(0xf000);
    expect(areas.findFree(0x9000, 0x1000, 0x10000)).toBeUndefined();
    expect(areas.findFree(0x3000, 0x1000, 0x7000)).toBe(0x4000);
    expect(areas.findFree(0x2000, 0x1000, 0x7000)).toBe(0x5000);
    expect(areas.resize(0x4000, 0x6000)).toBe(true);
    expect(areas.find(0x5fff)?.name).toBe("[heap]");
    expect(areas.resize(0x9999, 0x6000)).toBe(false);
    expect(areas.isFree(0x6000, 0x7000)).toBe(true);
    expect(areas.clone().areas).toEqual(areas.areas);
  });
});
