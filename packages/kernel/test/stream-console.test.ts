import { KERNEL_CALLER } from "@asterism/svc-fs";
import { describe, expect, it } from "vitest";
import { Errno, SyscallError } from "../src/errno.ts";
import { StreamConsole } from "../src/tty/stream-console.ts";

const POLLIN = 0x001;
const POLLOUT = 0x004;

describe("the stream console (console=pipe)", () => {
  it("writes bytes through untranslated", () => {
    const written: number[] = [];
    const console = new StreamConsole((bytes) => written.push(...bytes));
    expect(console.write(Uint8Array.from([0x61, 0x0a, 0x03]))).toBe(3);
    expect(written).toEqual([0x61, 0x0a, 0x03]);
  });

  it("reads received bytes in order, split to the reader's length", async () => {
    const console = new StreamConsole(() => undefined);
    console.receive(Uint8Array.from([1, 2, 3]));
    console.receive(Uint8Array.from([4]));
    expect(await console.read(2, true, KERNEL_CALLER)).toEqual(Uint8Array.from([1, 2]));
    expect(await console.read(10, true, KERNEL_CALLER)).toEqual(Uint8Array.from([3]));
    expect(await console.read(10, true, KERNEL_CALLER)).toEqual(Uint8Array.from([4]));
  });

  it("answers EAGAIN without data, end of file after the host's input ends", async () => {
    const console = new StreamConsole(() => undefined);
    await expect(console.read(1, true, KERNEL_CALLER)).rejects.toMatchObject({ errno: Errno.EAGAIN });
    expect(console.poll(POLLIN | POLLOUT)).toBe(POLLOUT);
    console.receive(Uint8Array.from([7]));
    console.end();
    expect(await console.read(4, false, KERNEL_CALLER)).toEqual(Uint8Array.from([7]));
    expect(console.poll(POLLIN)).toBe(POLLIN);
    expect((await console.read(4, false, KERNEL_CALLER)).length).toBe(0);
  });

  it("is not a terminal", () => {
    const console = new StreamConsole(() => undefined);
    expect(() => console.ioctl()).toThrow(SyscallError);
    expect(() => console.ioctl()).toThrow(/ENOTTY/);
  });
});
