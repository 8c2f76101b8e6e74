import { describe, expect, it } from "vitest";
import { Errno, SyscallError } from "../src/errno.ts";
import { Pipe, PIPE_BUF, type PipeIoOptions } from "../src/ipc/pipe.ts";
import { Signal } from "../src/signal/signals.ts";
import { FakeWaitChannel, settle } from "./support/fake-wait-channel.ts";

function setup(capacity?: number) {
  const channel = new FakeWaitChannel();
  const pipe = new Pipe(channel, capacity);
  pipe.openReader();
  pipe.openWriter();
  const raised: number[] = [];
  let signalPending = false;
  const options = (nonBlocking = false): PipeIoOptions => ({
    nonBlocking,
    interrupted: () => signalPending,
    raise: (signal) => raised.push(signal),
  });
  const interrupt = () => { signalPending = true; channel.wakeAll(); };
  return { channel, pipe, raised, options, interrupt };
}

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (data: Uint8Array): string => new TextDecoder().decode(data);

async function errnoOf(promise: Promise<unknown>): Promise<number | undefined> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SyscallError) return error.errno;
    throw error;
  }
  return undefined;
}

describe("Pipe", () => {
  it("moves bytes in order across the ring's wrap-around", async () => {
    const { pipe, options } = setup(8);
    expect(await pipe.write(bytes("abcdef"), options())).toBe(6);
    expect(text(await pipe.read(4, options()))).toBe("abcd");
    expect(await pipe.write(bytes("ghijk"), options())).toBe(5);
    expect(text(await pipe.read(100, options()))).toBe("efghijk");
  });

  it("blocks a reader until data arrives, then EOF after the last writer closes", async () => {
    const { pipe, options, channel } = setup();
    const pending = pipe.read(10, options());
    await settle();
    expect(channel.waiting).toBe(1);
    await pipe.write(bytes("hi"), options());
    expect(text(await pending)).toBe("hi");
    const eof = pipe.read(10, options());
    pipe.closeWriter();
    expect((await eof).length).toBe(0);
  });

  it("gives EAGAIN to non-blocking readers and writers", async () => {
    const { pipe, options } = setup(PIPE_BUF);
    expect(await errnoOf(pipe.read(1, options(true)))).toBe(Errno.EAGAIN);
    await pipe.write(new Uint8Array(PIPE_BUF - 1), options(true));
    expect(await errnoOf(pipe.write(bytes("xy"), options(true)))).toBe(Errno.EAGAIN);
  });

  it("keeps writes of at most PIPE_BUF atomic and splits larger ones", async () => {
    const { pipe, options } = setup(PIPE_BUF + 10);
    await pipe.write(new Uint8Array(20), options());
    let done = false;
    const atomic = pipe.write(new Uint8Array(PIPE_BUF).fill(7), options()).then((count) => { done = true; return count; });
    await settle();
    expect(done).toBe(false);
    expect(pipe.buffered).toBe(20);
    await pipe.read(10, options());
    expect(await atomic).toBe(PIPE_BUF);

    const { pipe: big, options: bigOptions } = setup(100);
    const large = big.write(new Uint8Array(PIPE_BUF + 250).fill(1), bigOptions());
    let received = 0;
    while (received < PIPE_BUF + 250) received += (await big.read(1000, bigOptions())).length;
    expect(await large).toBe(PIPE_BUF + 250);
  });

  it("raises SIGPIPE and fails with EPIPE without readers", async () => {
    const { pipe, options, raised } = setup();
    pipe.closeReader();
    expect(await errnoOf(pipe.write(bytes("x"), options()))).toBe(Errno.EPIPE);
    expect(raised).toEqual([Signal.SIGPIPE]);
  });

  it("wakes a blocked writer with EPIPE when the reader goes away", async () => {
    const { pipe, options, raised } = setup(4);
    await pipe.write(bytes("full"), options());
    const blocked = errnoOf(pipe.write(bytes("more"), options()));
    await settle();
    pipe.closeReader();
    expect(await blocked).toBe(Errno.EPIPE);
    expect(raised).toEqual([Signal.SIGPIPE]);
  });

  it("ends a wait with EINTR on a signal, or the partial count", async () => {
    const { pipe, options, interrupt } = setup(4);
    const read = errnoOf(pipe.read(1, options()));
    await settle();
    interrupt();
    expect(await read).toBe(Errno.EINTR);

    const second = setup(8);
    const partial = second.pipe.write(new Uint8Array(PIPE_BUF + 1), second.options());
    await settle();
    second.interrupt();
    expect(await partial).toBe(8);
  });

  it("reports poll state", () => {
    const { pipe } = setup();
    expect(pipe.pollState).toEqual({ readable: false, writable: true, hangup: false, error: false });
    pipe.closeWriter();
    expect(pipe.pollState.readable && pipe.pollState.hangup).toBe(true);
    expect(() => { pipe.closeWriter(); }).toThrow("twice");
  });
});
