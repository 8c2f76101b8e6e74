/**
 * Pipes as open files: pipe2 makes a `Pipe` and wraps its two ends as svc-fs file handles,
 * so read/write/poll/fstat/close go through the same `OpenFile` path as every other file.
 */

import type { FileHandle, OpenFile, Vfs, FsContext } from "@asterism/svc-fs";
import { Errno, SyscallError } from "../errno.ts";
import type { PipeRegistry } from "./fifo.ts";
import type { Pipe } from "./pipe.ts";

const O_RDONLY = 0;
const O_WRONLY = 1;
const POLLIN = 0x001;
const POLLOUT = 0x004;
const POLLERR = 0x008;
const POLLHUP = 0x010;

function pollPipe(pipe: Pipe, events: number, reader: boolean): number {
  const state = pipe.pollState;
  if (reader) return (state.readable ? events & POLLIN : 0) | (state.hangup ? POLLHUP : 0);
  return (state.writable ? events & POLLOUT : 0) | (state.error ? POLLERR : 0);
}

/** One end of `pipe` as a file handle; opening it counts a reader or writer, release uncounts it. */
export function endOf(pipe: Pipe, listeners: Set<() => void>, reader: boolean): FileHandle {
  if (reader) pipe.openReader();
  else pipe.openWriter();
  return {
    seekable: false,
    read: (_offset, length, nonblock, caller) => {
      if (!reader) throw new SyscallError(Errno.EBADF, "write end of a pipe");
      return pipe.read(length, { nonBlocking: nonblock, interrupted: caller.interrupted, raise: caller.raise }).finally(() => { notify(listeners); });
    },
    write: (_offset, data, nonblock, caller) => {
      if (reader) throw new SyscallError(Errno.EBADF, "read end of a pipe");
      return pipe.write(data, { nonBlocking: nonblock, interrupted: caller.interrupted, raise: caller.raise }).finally(() => { notify(listeners); });
    },
    poll: (events) => pollPipe(pipe, events, reader),
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    release: () => {
      if (reader) pipe.closeReader();
      else pipe.closeWriter();
      notify(listeners);
    },
  };
}

function notify(listeners: Set<() => void>): void {
  for (const listener of [...listeners]) listener();
}

/**
 * A new pipe as [read end, write end]; `statusFlags` may carry O_NONBLOCK. Both inodes are
 * registered so that /proc/<pid>/fd/N reopens this very pipe.
 */
export function openPipe(vfs: Vfs, context: FsContext, statusFlags: number, registry: PipeRegistry): [OpenFile, OpenFile] {
  const named = registry.create();
  const counted = (handle: FileHandle): FileHandle => ({
    ...handle,
    release: () => {
      handle.release?.();
      registry.endClosed(named);
    },
  });
  named.openEnds = 2;
  const readEnd = vfs.openAnonymous(context, counted(endOf(named.pipe, named.listeners, true)), O_RDONLY | statusFlags);
  const writeEnd = vfs.openAnonymous(context, counted(endOf(named.pipe, named.listeners, false)), O_WRONLY | statusFlags);
  for (const end of [readEnd, writeEnd]) if (end.inode.kind === "special") registry.register(end.inode, named);
  return [readEnd, writeEnd];
}
