/**
 * Named pipes: svc-fs calls the kernel's FIFO opener when a FIFO node is opened, and every
 * opener of the same inode shares one `Pipe`, created on first open and dropped when the
 * last end closes (the data of a FIFO does not outlive its openers). O_RDWR opens count as
 * both ends, as on Linux. Opens do not wait for the other side: a reader that opens first
 * sees end-of-file until a writer arrives (simplification of Linux's blocking open).
 */

import type { FifoOpener, FileHandle, SpecialInode } from "@asterism/svc-fs";
import { SignalAwareQueue } from "../process/interruptible-wait.ts";
import { endOf } from "./pipe-file.ts";
import { Pipe } from "./pipe.ts";

const O_ACCMODE = 3;
const O_WRONLY = 1;
const O_RDWR = 2;

interface NamedPipe {
  readonly pipe: Pipe;
  readonly listeners: Set<() => void>;
  openEnds: number;
}

export function createFifoOpener(): FifoOpener {
  const pipes = new Map<SpecialInode, NamedPipe>();
  return (inode, flags) => {
    let named = pipes.get(inode);
    if (named === undefined) {
      named = { pipe: new Pipe(new SignalAwareQueue()), listeners: new Set(), openEnds: 0 };
      pipes.set(inode, named);
    }
    const shared = named;
    const mode = flags & O_ACCMODE;
    const ends: FileHandle[] = [];
    if (mode !== O_WRONLY) ends.push(endOf(shared.pipe, shared.listeners, true));
    if (mode === O_WRONLY || mode === O_RDWR) ends.push(endOf(shared.pipe, shared.listeners, false));
    shared.openEnds += ends.length;
    const [first, second] = ends;
    if (first === undefined) throw new Error("a FIFO open always has an end");
    const reading = mode === O_WRONLY ? undefined : first;
    const writing = mode === O_WRONLY ? first : second;
    return {
      seekable: false,
      read: (offset, length, nonblock, caller) => (reading ?? first).read(offset, length, nonblock, caller),
      write: (offset, data, nonblock, caller) => (writing ?? first).write(offset, data, nonblock, caller),
      poll: (events) => (reading?.poll?.(events) ?? 0) | (writing?.poll?.(events) ?? 0),
      subscribe: (listener) => first.subscribe?.(listener) ?? (() => undefined),
      release: () => {
        for (const end of ends) end.release?.();
        shared.openEnds -= ends.length;
        if (shared.openEnds === 0) pipes.delete(inode);
      },
    };
  };
}
