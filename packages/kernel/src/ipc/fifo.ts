/**
 * The pipes that have a name: FIFO nodes in the tree, and anonymous pipes reopened through
 * /proc/<pid>/fd/N (bash's process substitution opens /dev/fd/63). svc-fs calls the
 * registry's FIFO opener whenever such an inode is opened; every opener of the same inode
 * shares one `Pipe`, and both inodes of a pipe2 pipe lead to the pipe they were made for.
 * An entry lives while some end is open. O_RDWR opens count as both ends, as on Linux. Opens
 * do not wait for the other side: a reader that opens a fresh FIFO first sees end-of-file
 * until a writer arrives (simplification of Linux's blocking open).
 */

import type { FifoOpener, FileHandle, SpecialInode } from "@asterism/svc-fs";
import { SignalAwareQueue } from "../process/interruptible-wait.ts";
import { endOf } from "./pipe-file.ts";
import { Pipe } from "./pipe.ts";

const O_ACCMODE = 3;
const O_WRONLY = 1;
const O_RDWR = 2;

/** One pipe with everything that opens it by name. */
export interface NamedPipe {
  readonly pipe: Pipe;
  readonly listeners: Set<() => void>;
  openEnds: number;
}

export class PipeRegistry {
  readonly #pipes = new Map<SpecialInode, NamedPipe>();

  /** A fresh pipe with no open end; `register` makes it reachable by inode. */
  create(): NamedPipe {
    return { pipe: new Pipe(new SignalAwareQueue()), listeners: new Set(), openEnds: 0 };
  }

  /** Makes opens of `inode` reach `named` (until its last end closes). */
  register(inode: SpecialInode, named: NamedPipe): void {
    this.#pipes.set(inode, named);
  }

  /** One end of `named` closed; forgets the pipe with its last end. */
  endClosed(named: NamedPipe): void {
    named.openEnds -= 1;
    if (named.openEnds > 0) return;
    for (const [inode, entry] of this.#pipes) if (entry === named) this.#pipes.delete(inode);
  }

  /** svc-fs's hook for opening FIFO inodes. */
  readonly opener: FifoOpener = (inode, flags) => {
    let named = this.#pipes.get(inode);
    if (named === undefined) {
      named = this.create();
      this.register(inode, named);
    }
    return this.#openEnds(named, flags & O_ACCMODE);
  };

  #openEnds(named: NamedPipe, mode: number): FileHandle {
    const ends: FileHandle[] = [];
    if (mode !== O_WRONLY) ends.push(endOf(named.pipe, named.listeners, true));
    if (mode === O_WRONLY || mode === O_RDWR) ends.push(endOf(named.pipe, named.listeners, false));
    named.openEnds += ends.length;
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
        for (const end of ends) {
          end.release?.();
          this.endClosed(named);
        }
      },
    };
  }
}
