import { describe, expect, it } from "vitest";
import {
  BitmapFrameAllocator, ErrorCode, injectFrameAllocator, PageFlags, PAGE_SIZE, policyViolationCount, Segment,
  UntypedFrame, unwrap, VmSpace, type FrameAllocator,
} from "../src/index.ts";
import { inKernel, fakeMachine } from "./support/kernel.ts";
import { RAM_SIZE, USABLE_BASE } from "./support/fake-arch.ts";

describe("frames", () => {
  it("hands out zeroed, usable frames and takes them back on the last release", () =>
    inKernel(() => {
      const frame = unwrap(UntypedFrame.alloc());
      expect(frame.paddr % PAGE_SIZE).toBe(0);
      expect(frame.paddr).toBeGreaterThanOrEqual(USABLE_BASE);
      const bytes = new Uint8Array(16);
      frame.read(0, bytes);
      expect([...bytes]).toEqual(new Array<number>(16).fill(0));
      frame.write(4, Uint8Array.of(1, 2, 3));
      const copy = frame.clone();
      expect(frame.refCount).toBe(2);
      frame.release();
      copy.read(4, bytes.subarray(0, 3));
      expect([...bytes.subarray(0, 3)]).toEqual([1, 2, 3]);
      copy.release();
      expect(() => copy.paddr).toThrow(/released frame handle/);
      expect(() => { copy.release(); }).toThrow();
    }));

  it("never reuses a frame while a page table still maps it", () =>
    inKernel(() => {
      const returned: number[] = [];
      const inner = new BitmapFrameAllocator();
      injectFrameAllocator({
        addFree: (start, count) => { inner.addFree(start, count); },
        alloc: (count) => inner.alloc(count),
        dealloc: (start, count) => { returned.push(start); inner.dealloc(start, count); },
      });
      const space = unwrap(VmSpace.create());
      const frame = unwrap(UntypedFrame.alloc());
      const pfn = frame.paddr / PAGE_SIZE;
      unwrap(unwrap(space.cursor(0x400000, 0x401000)).map(frame, PageFlags.Read));
      frame.release();
      expect(returned).not.toContain(pfn);
      expect(space.query(0x400000)?.pfn).toBe(pfn);
      unwrap(unwrap(space.cursor(0x400000, 0x401000)).unmap(PAGE_SIZE));
      expect(returned).toContain(pfn);
      space.destroy();
      injectFrameAllocator(new BitmapFrameAllocator());
    }));

  it("refuses frames that cannot be forged or reused after release", () =>
    inKernel(() => {
      const forged: unknown = Object.create(UntypedFrame.prototype);
      expect(UntypedFrame.isUntypedFrame(forged)).toBe(false);
      expect(() => new UntypedFrame(Symbol("frame"), USABLE_BASE / PAGE_SIZE)).toThrow(/created by OSTD only/);
      const space = unwrap(VmSpace.create());
      const cursor = unwrap(space.cursor(0, PAGE_SIZE));
      expect(() => cursor.map(forged as UntypedFrame, PageFlags.Read)).toThrow(/not a live frame handle/);
      space.destroy();
    }));

  it("cuts off a reader or writer kept past the handle's release", () =>
    inKernel(() => {
      const frame = unwrap(UntypedFrame.alloc());
      const staleWriter = frame.writer();
      const segment = unwrap(Segment.alloc(1));
      const staleReader = segment.reader();
      frame.release();
      segment.release();
      const reused = unwrap(UntypedFrame.alloc());
      const write = staleWriter.write(Uint8Array.of(0xff));
      expect(write.ok ? "written" : write.error.code).toBe(ErrorCode.PageFault);
      expect(staleReader.readBytes(1).ok).toBe(false);
      expect(() => segment.reader()).toThrow(/released segment/);
      reused.release();
    }));

  it("copies one frame into another", () =>
    inKernel(() => {
      const source = unwrap(UntypedFrame.alloc());
      const target = unwrap(UntypedFrame.alloc());
      source.write(PAGE_SIZE - 3, Uint8Array.of(7, 8, 9));
      target.copyFrom(source);
      const bytes = new Uint8Array(3);
      target.read(PAGE_SIZE - 3, bytes);
      expect([...bytes]).toEqual([7, 8, 9]);
      source.release();
      expect(() => { target.copyFrom(source); }).toThrow(/not a live frame handle/);
      target.release();
    }));

  it("hands out segment frames as new references", () =>
    inKernel(() => {
      const segment = unwrap(Segment.alloc(2));
      const frame = segment.frame(1);
      expect(frame.refCount).toBe(2);
      frame.release();
      expect(segment.frame(1).refCount).toBe(2);
      segment.release();
    }));

  it("allocates physically contiguous segments", () =>
    inKernel(() => {
      const segment = unwrap(Segment.alloc(4));
      for (let i = 0; i < 4; i++) {
        const frame = segment.frame(i);
        expect(frame.paddr).toBe(segment.paddr + i * PAGE_SIZE);
        frame.release();
      }
      unwrap(segment.writer(PAGE_SIZE - 2).write(Uint8Array.of(7, 8, 9, 10)));
      expect([...unwrap(segment.reader(PAGE_SIZE - 2, 4).readBytes(4))]).toEqual([7, 8, 9, 10]);
      expect(() => segment.reader(4 * PAGE_SIZE - 1, 2)).toThrow(/exceeds/);
      segment.release();
      expect(Segment.alloc(RAM_SIZE / PAGE_SIZE + 1).ok).toBe(false);
    }));
});

describe("a buggy frame allocator", () => {
  it("cannot hand out a frame that is in use, reserved or outside RAM, nor crash OSTD by throwing", async () => {
    fakeMachine();
    const inUse = await inKernel(() => unwrap(UntypedFrame.alloc()));
    const answers = [inUse.paddr / PAGE_SIZE, 0, RAM_SIZE / PAGE_SIZE + 5, 1.5, -1, Number.NaN];
    const buggy: FrameAllocator = {
      addFree: () => undefined,
      alloc: () => {
        if (answers.length === 0) throw new Error("allocator bug");
        return answers.shift();
      },
      dealloc: () => undefined,
    };
    await inKernel(() => {
      const before = policyViolationCount();
      injectFrameAllocator(buggy);
      for (let i = 0; i < 7; i++) {
        const result = UntypedFrame.alloc();
        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.error.code).toBe(ErrorCode.PolicyViolation);
      }
      expect(policyViolationCount()).toBe(before + 7);
      expect(inUse.refCount).toBe(1);
      injectFrameAllocator(new BitmapFrameAllocator());
      const fresh = unwrap(UntypedFrame.alloc());
      expect(fresh.paddr).not.toBe(inUse.paddr);
      fresh.release();
      inUse.release();
    });
  });
});
