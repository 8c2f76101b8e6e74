/**
 * The pipes that have a name: FIFO nodes in the tree, and anonymous pipes reopened through
 * /proc/<pid>/fd/N (bash's process substitution opens /dev/fd/63). svc-fs calls the
 * registry's FIFO opener whenever such an inode is opened; every opener of the same inode
 * shares one `Pipe`, and both inodes of a pipe2 pipe lead to the pipe they were made for.
 * An entry lives while some end is open. As on Linux, a blocking open of a FIFO for reading
 * waits for a writer and one for writing waits for a reader (interruptibly), O_NONBLOCK
 * opens for writing without a reader fail with ENXIO, and O_RDWR opens count as both ends
 * and never wait.
 */

import type { FifoOpener, FileHandle, IoCaller, SpecialInode } from "@asterism/svc-fs";
import { Errno, SyscallError } from "../errno.ts";
import { SignalAwareQueue } from "../process/interruptible-wait.ts";
import { endOf } from "./pipe-file.ts";
import { Pipe } from "./pipe.ts";

const O_ACCMODE = 3;
const O_WRONLY = 1;
const O_RDWR = 2;
const O_NONBLOCK = 0o4000;

/** One pipe with everything that opens it by name. */
export interface NamedPipe {
  readonly pipe: Pipe;
  readonly listeners: Set<() => void>;
  /** Woken when an end opens, for opens waiting for the other side. */
  readonly openers: SignalAwareQueue;
  openEnds: number;
  /**
   * Opens so far of each side. A waiting open watches the other side's counter, not its
   * current count, so a writer that opens and closes at once still releases the reader
   * (Linux's r_counter/w_counter).
   */
  readerOpens: number;
  writerOpens: number;
}

export class PipeRegistry {
  readonly #pipes = new Map<SpecialInode, NamedPipe>();

  /** A fresh pipe with no open end; `register` makes it reachable by inode. */
  create(): NamedPipe {
    return { pipe: new Pipe(new SignalAwareQueue()), listeners: new Set(), openers: new SignalAwareQueue(), openEnds: 0, readerOpens: 0, writerOpens: 0 };
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
  readonly opener: FifoOpener = (inode, flags, caller) => {
    let named = this.#pipes.get(inode);
    if (named === undefined) {
      named = this.create();
      this.register(inode, named);
    }
    const mode = flags & O_ACCMODE;
    const shared = named;
    const otherSideOpens = (): number => (mode === O_WRONLY ? shared.readerOpens : shared.writerOpens);
    const seen = otherSideOpens();
    const handle = this.#openEnds(named, mode);
    if (mode === O_RDWR) return handle;
    const pipe = named.pipe;
    const otherSideOpen = (): boolean => (mode === O_WRONLY ? pipe.readers > 0 : pipe.writers > 0) || otherSideOpens() !== seen;
    if (otherSideOpen()) return handle;
    if ((flags & O_NONBLOCK) !== 0) {
      if (mode !== O_WRONLY) return handle;
      handle.release?.();
      throw new SyscallError(Errno.ENXIO, "no reader on the FIFO");
    }
    return this.#waitForOtherSide(named, handle, otherSideOpen, caller);
  };

  async #waitForOtherSide(named: NamedPipe, handle: FileHandle, otherSideOpen: () => boolean, caller: IoCaller): Promise<FileHandle> {
    const outcome = await named.openers.waitUntil(() => (otherSideOpen() ? "open" : caller.interrupted() ? "signal" : undefined));
    if (outcome === "open") return handle;
    handle.release?.();
    throw new SyscallError(Errno.EINTR);
  }

  #openEnds(named: NamedPipe, mode: number): FileHandle {
    const ends: FileHandle[] = [];
    if (mode !== O_WRONLY) {
      ends.push(endOf(named.pipe, named.listeners, true));
      named.readerOpens += 1;
    }
    if (mode === O_WRONLY || mode === O_RDWR) {
      ends.push(endOf(named.pipe, named.listeners, false));
      named.writerOpens += 1;
    }
    named.openEnds += ends.length;
    named.openers.wakeAll();
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
