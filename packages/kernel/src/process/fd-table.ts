/**
 * A process's file descriptor table: small integers naming open file descriptions, each
 * with its close-on-exec flag. Descriptions are svc-fs `OpenFile`s, reference-counted so
 * that dup and fork share one offset and the last close releases the file.
 */

import type { OpenFile } from "@asterism/svc-fs";
import { Errno, SyscallError } from "../errno.ts";

/** RLIMIT_NOFILE's default soft limit. */
export const MAX_FDS = 1024;

interface FdEntry {
  readonly file: OpenFile;
  closeOnExec: boolean;
}

export class FdTable {
  readonly #entries: (FdEntry | undefined)[] = [];

  /** The open file behind `fd`; EBADF if there is none. */
  get(fd: number): OpenFile {
    const entry = Number.isInteger(fd) && fd >= 0 ? this.#entries[fd] : undefined;
    if (entry === undefined) throw new SyscallError(Errno.EBADF, `fd ${String(fd)}`);
    return entry.file;
  }

  has(fd: number): boolean {
    return this.#entries[fd] !== undefined;
  }

  /** Installs `file` (taking over one reference) at the lowest free fd >= `minimum`. */
  install(file: OpenFile, closeOnExec: boolean, minimum = 0): number {
    for (let fd = Math.max(0, minimum); fd < MAX_FDS; fd++) {
      if (this.#entries[fd] === undefined) {
        this.#entries[fd] = { file, closeOnExec };
        return fd;
      }
    }
    file.release();
    throw new SyscallError(Errno.EMFILE, "too many open files");
  }

  /** dup2/dup3: makes `target` name the same description as `source`. */
  duplicateTo(source: number, target: number, closeOnExec: boolean): number {
    const file = this.get(source);
    if (!Number.isInteger(target) || target < 0 || target >= MAX_FDS) throw new SyscallError(Errno.EBADF, `fd ${String(target)}`);
    if (source === target) return target;
    file.acquire();
    this.#entries[target]?.file.release();
    this.#entries[target] = { file, closeOnExec };
    return target;
  }

  close(fd: number): void {
    const file = this.get(fd);
    this.#entries[fd] = undefined;
    file.release();
  }

  getCloseOnExec(fd: number): boolean {
    this.get(fd);
    return this.#entries[fd]?.closeOnExec ?? false;
  }

  setCloseOnExec(fd: number, value: boolean): void {
    this.get(fd);
    const entry = this.#entries[fd];
    if (entry !== undefined) entry.closeOnExec = value;
  }

  /** fork: a table naming the same descriptions. */
  clone(): FdTable {
    const copy = new FdTable();
    for (const [fd, entry] of this.#entries.entries()) {
      if (entry !== undefined) copy.#entries[fd] = { file: entry.file.acquire(), closeOnExec: entry.closeOnExec };
    }
    return copy;
  }

  /** execve: closes every close-on-exec descriptor. */
  closeOnExec(): void {
    for (const [fd, entry] of this.#entries.entries()) if (entry?.closeOnExec === true) this.close(fd);
  }

  closeAll(): void {
    for (const [fd, entry] of this.#entries.entries()) if (entry !== undefined) this.close(fd);
  }

  /** Open descriptors, for /proc/<pid>/fd. */
  openDescriptors(): number[] {
    return [...this.#entries.keys()].filter((fd) => this.#entries[fd] !== undefined);
  }
}
