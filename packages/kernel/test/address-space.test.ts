import { beforeAll, describe, expect, it } from "vitest";
import { PAGE_SIZE } from "@asterism/ostd";
import { Errno, SyscallError } from "../src/errno.ts";
import { Prot } from "../src/elf/load-plan.ts";
import { AddressSpace } from "../src/mm/address-space.ts";
import { kernelCases } from "./support/board.ts";

async function errnoOf(promise: Promise<unknown>): Promise<number | undefined> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SyscallError) return error.errno;
    throw error;
  }
  return undefined;
}

const anon = (start: number, pages: number, prot: number = Prot.Read | Prot.Write) => ({
  start,
  end: start + pages * PAGE_SIZE,
  prot,
  backing: undefined,
  name: "anon",
});

describe("AddressSpace on OSTD", () => {
  kernelCases({
    "pages in zeros and file bytes on demand, bss past the file end": async () => {
      const space = AddressSpace.create();
      const file = Uint8Array.from({ length: 6000 }, (_, index) => index & 0xff);
      space.map({ start: 0x400000, end: 0x403000, prot: Prot.Read, backing: { bytes: file, offset: 1000, length: 5000 }, name: "a.out" });
      space.map(anon(0x600000, 2));
      expect(space.residentPages).toBe(0);
      expect([...(await space.read(0x400000, 3))]).toEqual([1000 & 0xff, 1001 & 0xff, 1002 & 0xff]);
      expect([...(await space.read(0x401000 + 5000 - 4096 - 1, 3))]).toEqual([(5999 & 0xff), 0, 0]);
      expect([...(await space.read(0x402000, 2))]).toEqual([0, 0]);
      await space.write(0x600ffe, Uint8Array.of(7, 8, 9, 10));
      expect([...(await space.read(0x600ffe, 4))]).toEqual([7, 8, 9, 10]);
      expect(space.residentPages).toBe(5);
      space.destroy();
    },

    "refuses access outside areas and writes to read-only areas with EFAULT": async () => {
      const space = AddressSpace.create();
      space.map(anon(0x400000, 1, Prot.Read));
      expect(await errnoOf(space.read(0x500000, 1))).toBe(Errno.EFAULT);
      expect(await errnoOf(space.write(0x400000, Uint8Array.of(1)))).toBe(Errno.EFAULT);
      expect(await errnoOf(space.read(2 ** 47 - 1, 2))).toBe(Errno.EFAULT);
      expect(await errnoOf(space.read(-5, 1))).toBe(Errno.EFAULT);
      space.destroy();
    },

    "fork shares pages copy-on-write": async () => {
      const parent = AddressSpace.create();
      parent.map(anon(0x600000, 2));
      await parent.write(0x600000, Uint8Array.of(1, 2, 3));
      const child = parent.fork();
      expect([...(await child.read(0x600000, 3))]).toEqual([1, 2, 3]);
      await child.write(0x600000, Uint8Array.of(9));
      expect([...(await parent.read(0x600000, 1))]).toEqual([1]);
      expect([...(await child.read(0x600000, 1))]).toEqual([9]);
      await parent.write(0x600001, Uint8Array.of(5));
      expect([...(await parent.read(0x600000, 3))]).toEqual([1, 5, 3]);
      expect([...(await child.read(0x600000, 3))]).toEqual([9, 2, 3]);
      child.destroy();
      await parent.write(0x600002, Uint8Array.of(6));
      expect([...(await parent.read(0x600000, 3))]).toEqual([1, 5, 6]);
      parent.destroy();
    },

    "munmap, mprotect and brk": async () => {
      const space = AddressSpace.create();
      space.map(anon(0x600000, 3));
      await space.write(0x601000, Uint8Array.of(4));
      space.unmap(0x601000, 0x602000);
      expect(await errnoOf(space.read(0x601000, 1))).toBe(Errno.EFAULT);
      space.protect(0x600000, 0x601000, Prot.Read);
      expect(await errnoOf(space.write(0x600000, Uint8Array.of(1)))).toBe(Errno.EFAULT);
      expect(() => { space.protect(0x600000, 0x603000, Prot.Read); }).toThrow(SyscallError);

      space.initBrk(0x800000);
      expect(space.setBrk(0)).toBe(0x800000);
      expect(space.setBrk(0x802345)).toBe(0x802345);
      await space.write(0x802000, Uint8Array.of(1));
      expect(space.setBrk(0x801000)).toBe(0x801000);
      expect(await errnoOf(space.read(0x801000, 1))).toBe(Errno.EFAULT);
      space.map(anon(0x900000, 1));
      expect(space.setBrk(0x900001)).toBe(0x801000);
      space.destroy();
    },
  }, { beforeAll, it });
});
