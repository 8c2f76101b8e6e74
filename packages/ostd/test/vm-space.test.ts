import { describe, expect, it } from "vitest";
import { ErrorCode, PageFlags, PAGE_SIZE, UntypedFrame, unwrap, VmSpace } from "../src/index.ts";
import { fakeMachine, inKernel } from "./support/kernel.ts";

describe("VmSpace", () => {
  it("maps, queries, protects and unmaps pages through a cursor", () =>
    inKernel(() => {
      const space = unwrap(VmSpace.create());
      const cursor = unwrap(space.cursor(0x10000, 0x14000));
      const frames = [unwrap(UntypedFrame.alloc()), unwrap(UntypedFrame.alloc())];
      for (const frame of frames) unwrap(cursor.map(frame, PageFlags.Read | PageFlags.Write));
      expect(cursor.va).toBe(0x12000);
      expect(space.query(0x11abc)).toMatchObject({ pfn: (frames[1]?.paddr ?? 0) / PAGE_SIZE, flags: PageFlags.Read | PageFlags.Write });
      expect(frames[0]?.mapCount).toBe(1);
      unwrap(cursor.jump(0x10000));
      unwrap(cursor.protect(2 * PAGE_SIZE, () => PageFlags.Read));
      expect(space.query(0x10000)?.flags).toBe(PageFlags.Read);
      unwrap(cursor.jump(0x10000));
      unwrap(cursor.unmap(4 * PAGE_SIZE));
      expect(space.query(0x10000)).toBeUndefined();
      expect(frames[0]?.mapCount).toBe(0);
      expect(frames[0]?.refCount).toBe(1);
      for (const frame of frames) frame.release();
      space.destroy();
    }));

  it("rejects ranges outside user space or misaligned", () =>
    inKernel(() => {
      const space = unwrap(VmSpace.create());
      expect(space.cursor(0x1001, 0x3000).ok).toBe(false);
      expect(space.cursor(2 ** 47 - PAGE_SIZE, 2 ** 47 + PAGE_SIZE).ok).toBe(false);
      expect(space.cursor(-PAGE_SIZE, 0).ok).toBe(false);
      const cursor = unwrap(space.cursor(0, PAGE_SIZE));
      expect(cursor.unmap(2 * PAGE_SIZE).ok).toBe(false);
      expect(cursor.jump(PAGE_SIZE).ok).toBe(false);
      space.destroy();
    }));

  it("activates its table and flushes the TLB for changes while active", () =>
    inKernel(() => {
      const machine = fakeMachine();
      const space = unwrap(VmSpace.create());
      space.activate();
      expect(machine.cr3Writes.length).toBeGreaterThan(0);
      const frame = unwrap(UntypedFrame.alloc());
      unwrap(unwrap(space.cursor(0x20000, 0x21000)).map(frame, PageFlags.Read));
      machine.flushedPages.length = 0;
      unwrap(unwrap(space.cursor(0x20000, 0x21000)).protect(PAGE_SIZE, () => PageFlags.Read | PageFlags.Write));
      unwrap(unwrap(space.cursor(0x20000, 0x21000)).unmap(PAGE_SIZE));
      expect(machine.flushedPages).toEqual([0x20000, 0x20000]);
      frame.release();
      space.destroy();
    }));

  it("copies to and from user memory and reports a bad pointer as a PageFault value", () =>
    inKernel(async () => {
      const space = unwrap(VmSpace.create());
      const frame = unwrap(UntypedFrame.alloc());
      const readOnly = unwrap(UntypedFrame.alloc());
      const cursor = unwrap(space.cursor(0x30000, 0x32000));
      unwrap(cursor.map(frame, PageFlags.Read | PageFlags.Write));
      unwrap(cursor.map(readOnly, PageFlags.Read));
      unwrap(space.writer(0x30ffe, 2).write(Uint8Array.of(0xaa, 0xbb)));
      expect([...unwrap(space.reader(0x30ffe, 4).readBytes(4))]).toEqual([0xaa, 0xbb, 0, 0]);
      const denied = space.writer(0x30fff, 2).write(Uint8Array.of(1, 2));
      expect(denied.ok).toBe(false);
      if (!denied.ok) {
        expect(denied.error.code).toBe(ErrorCode.PageFault);
        expect(denied.error.address).toBe(0x31000);
      }
      const unmapped = await space.readBytes(0x50000, 8);
      expect(unmapped.ok ? "ok" : unmapped.error.code).toBe(ErrorCode.PageFault);
      const kernelAddress = space.reader(2 ** 47, 8).readBytes(8);
      expect(kernelAddress.ok).toBe(false);
      frame.release();
      readOnly.release();
      space.destroy();
    }));

  it("lets the page-fault handler page in memory on demand", () =>
    inKernel(async () => {
      const space = unwrap(VmSpace.create());
      const faults: number[] = [];
      space.onPageFault((fault) => {
        faults.push(fault.address);
        const page = fault.address - (fault.address % PAGE_SIZE);
        const frame = unwrap(UntypedFrame.alloc());
        frame.write(0, Uint8Array.of(page / PAGE_SIZE));
        unwrap(unwrap(space.cursor(page, page + PAGE_SIZE)).map(frame, PageFlags.Read | PageFlags.Write));
        frame.release();
        return true;
      });
      unwrap(await space.writeBytes(0x60ff0, new Uint8Array(32).fill(5)));
      expect(faults).toEqual([0x60ff0, 0x61000]);
      const back = unwrap(await space.readBytes(0x60ff0, 32));
      expect([...back]).toEqual(new Array<number>(32).fill(5));
      space.destroy();
    }));

  it("frees its page tables and the frames' mapping references on destroy", () =>
    inKernel(() => {
      const space = unwrap(VmSpace.create());
      const frame = unwrap(UntypedFrame.alloc());
      unwrap(unwrap(space.cursor(0x7000_0000, 0x7000_1000)).map(frame, PageFlags.Read));
      expect(frame.refCount).toBe(2);
      space.destroy();
      expect(frame.refCount).toBe(1);
      expect(frame.mapCount).toBe(0);
      expect(() => space.cursor(0, PAGE_SIZE)).toThrow(/destroyed/);
      frame.release();
    }));
});
