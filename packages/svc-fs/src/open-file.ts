/**
 * An open file description (Linux's `struct file`): the object fds point at. It owns the file
 * offset and status flags, so dup'ed and inherited fds share both, as POSIX requires. The
 * kernel calls `acquire()` for every extra fd/fork reference and `release()` when one goes
 * away; the last release closes the underlying handle (device release, FIFO end counts).
 */
import {
  DT_DIR,
  O_ACCMODE,
  O_APPEND,
  O_NONBLOCK,
  O_OPEN_TIME_FLAGS,
  O_PATH,
  O_RDONLY,
  O_RDWR,
  O_SETFL_MASK,
  O_WRONLY,
  POLLIN,
  POLLOUT,
  POLLRDNORM,
  POLLWRNORM,
  SEEK_CUR,
  SEEK_END,
  SEEK_SET,
} from "./constants.ts";
import { direntRecordSize, encodeDirents } from "./dirent.ts";
import { Errno, fsError } from "./errno.ts";
import { type DirEntry, type FileHandle, type Inode, type IoCaller, KERNEL_CALLER } from "./inode.ts";
import type { PathRef } from "./mount.ts";
import { type Credentials, dropSetIdOnModify } from "./permission.ts";
import { type Stat, statOf } from "./stat.ts";

/** Longest single read or write performed per call (larger requests complete short). */
export const MAX_IO_LENGTH = 1 << 24;

export class OpenFile {
  readonly place: PathRef;
  readonly inode: Inode;
  /** Absolute path at open time, for /proc/<pid>/fd links and diagnostics. */
  readonly pathName: string;
  /** Credentials of the opener (Linux's f_cred), used when a write must drop set-id bits. */
  readonly cred: Credentials;
  #flags: number;
  #offset = 0;
  readonly #handle: FileHandle | null;
  #references = 1;

  constructor(place: PathRef, pathName: string, cred: Credentials, flags: number, handle: FileHandle | null) {
    this.place = place;
    this.inode = place.inode;
    this.pathName = pathName;
    this.cred = cred;
    this.#flags = flags & ~O_OPEN_TIME_FLAGS;
    this.#handle = handle;
  }

  /** Access mode plus status flags, as fcntl(F_GETFL) reports them. */
  get flags(): number {
    return this.#flags;
  }

  /** fcntl(F_SETFL): only O_APPEND, O_NONBLOCK, O_DIRECT and O_NOATIME change. */
  setStatusFlags(flags: number): void {
    this.#flags = (this.#flags & ~O_SETFL_MASK) | (flags & O_SETFL_MASK);
  }

  get offset(): number {
    return this.#offset;
  }

  get readable(): boolean {
    const mode = this.#flags & O_ACCMODE;
    return (this.#flags & O_PATH) === 0 && (mode === O_RDONLY || mode === O_RDWR);
  }

  get writable(): boolean {
    const mode = this.#flags & O_ACCMODE;
    return (this.#flags & O_PATH) === 0 && (mode === O_WRONLY || mode === O_RDWR);
  }

  get isPathOnly(): boolean {
    return (this.#flags & O_PATH) !== 0;
  }

  #nonblock(): boolean {
    return (this.#flags & O_NONBLOCK) !== 0;
  }

  #readHandle(): FileHandle {
    if (!this.readable) throw fsError(Errno.EBADF, "not open for reading");
    if (this.inode.kind === "dir") throw fsError(Errno.EISDIR, "read of a directory");
    if (this.#handle === null) throw fsError(Errno.EBADF, "no data");
    return this.#handle;
  }

  #writeHandle(): FileHandle {
    if (!this.writable) throw fsError(Errno.EBADF, "not open for writing");
    if (this.#handle === null) throw fsError(Errno.EBADF, "no data");
    return this.#handle;
  }

  /** read(2): from the file offset, advancing it. */
  async read(length: number, caller: IoCaller = KERNEL_CALLER): Promise<Uint8Array> {
    const handle = this.#readHandle();
    const data = await handle.read(this.#offset, clampLength(length), this.#nonblock(), caller);
    if (handle.seekable) this.#offset += data.length;
    return data;
  }

  /** write(2): at the offset, or at end of file with O_APPEND; advances the offset. */
  async write(data: Uint8Array, caller: IoCaller = KERNEL_CALLER): Promise<number> {
    const handle = this.#writeHandle();
    if (handle.seekable && (this.#flags & O_APPEND) !== 0) this.#offset = this.inode.size();
    if (data.length > 0) dropSetIdOnModify(this.cred, this.inode.meta);
    const written = await handle.write(this.#offset, clampData(data), this.#nonblock(), caller);
    if (handle.seekable) this.#offset += written;
    return written;
  }

  /** pread(2): at `offset`, leaving the file offset alone. */
  async pread(offset: number, length: number, caller: IoCaller = KERNEL_CALLER): Promise<Uint8Array> {
    const handle = this.#readHandle();
    requirePositional(handle, offset);
    return handle.read(offset, clampLength(length), this.#nonblock(), caller);
  }

  /** pwrite(2); with O_APPEND it appends, as Linux does. */
  async pwrite(offset: number, data: Uint8Array, caller: IoCaller = KERNEL_CALLER): Promise<number> {
    const handle = this.#writeHandle();
    requirePositional(handle, offset);
    const at = (this.#flags & O_APPEND) !== 0 ? this.inode.size() : offset;
    if (data.length > 0) dropSetIdOnModify(this.cred, this.inode.meta);
    return handle.write(at, clampData(data), this.#nonblock(), caller);
  }

  /** lseek(2): returns the new offset. Directories accept any position getdents handed out. */
  lseek(offset: number, whence: number): number {
    if (this.isPathOnly) throw fsError(Errno.EBADF, "O_PATH file");
    const handle = this.#handle;
    if (handle?.lseek !== undefined) return handle.lseek(offset, whence);
    if (handle !== null && !handle.seekable) throw fsError(Errno.ESPIPE, "not seekable");
    let base: number;
    if (whence === SEEK_SET) base = 0;
    else if (whence === SEEK_CUR) base = this.#offset;
    else if (whence === SEEK_END) base = this.inode.kind === "dir" ? 0 : this.inode.size();
    else throw fsError(Errno.EINVAL, `whence ${String(whence)}`);
    const target = base + offset;
    if (!Number.isSafeInteger(target) || target < 0) throw fsError(Errno.EINVAL, "negative offset");
    this.#offset = target;
    return target;
  }

  /**
   * getdents64(2): as many records as fit in `capacity` bytes from the current position
   * (empty at the end); EINVAL when even the next record does not fit.
   */
  getdents64(capacity: number): Uint8Array {
    if (this.isPathOnly) throw fsError(Errno.EBADF, "O_PATH file");
    const dir = this.inode;
    if (dir.kind !== "dir") throw fsError(Errno.ENOTDIR, "getdents on a non-directory");
    if (!Number.isSafeInteger(capacity) || capacity < 0) throw fsError(Errno.EINVAL, "bad buffer size");
    const chosen: DirEntry[] = [];
    let used = 0;
    const candidates = function* (position: number): Iterable<DirEntry> {
      if (position <= 0) yield { name: ".", ino: dir.ino, type: DT_DIR, next: 1 };
      if (position <= 1) yield { name: "..", ino: dir.parent().ino, type: DT_DIR, next: 2 };
      yield* dir.entriesFrom(Math.max(position, 2));
    };
    for (const entry of candidates(this.#offset)) {
      const size = direntRecordSize(entry.name);
      if (used + size > capacity) {
        if (chosen.length === 0) throw fsError(Errno.EINVAL, "getdents buffer too small");
        break;
      }
      chosen.push(entry);
      used += size;
    }
    const last = chosen.at(-1);
    if (last !== undefined) this.#offset = last.next;
    return encodeDirents(chosen);
  }

  async ioctl(request: number, arg: number, caller: IoCaller = KERNEL_CALLER): Promise<number> {
    if (this.isPathOnly) throw fsError(Errno.EBADF, "O_PATH file");
    const handle = this.#handle;
    if (handle?.ioctl === undefined) throw fsError(Errno.ENOTTY, "not a device");
    return handle.ioctl(request, arg, caller);
  }

  /** The subset of `events` ready now; files and directories are always ready. */
  poll(events: number): number {
    const handle = this.#handle;
    if (handle?.poll === undefined) return events & (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM);
    return handle.poll(events);
  }

  /** Calls `listener` when readiness may change; never, for always-ready files. */
  subscribe(listener: () => void): () => void {
    const handle = this.#handle;
    if (handle?.subscribe === undefined) return () => undefined;
    return handle.subscribe(listener);
  }

  /** ftruncate(2). */
  truncate(size: number): void {
    if (size < 0 || !Number.isSafeInteger(size)) throw fsError(Errno.EINVAL, "negative size");
    if (!this.writable) throw fsError(Errno.EINVAL, "not open for writing");
    if (this.inode.kind !== "regular") throw fsError(Errno.EINVAL, "not a regular file");
    dropSetIdOnModify(this.cred, this.inode.meta);
    this.inode.truncate(size);
  }

  stat(): Stat {
    return statOf(this.inode);
  }

  /** Another fd (dup, fork) now refers to this description. */
  acquire(): this {
    if (this.#references === 0) throw fsError(Errno.EBADF, "file already closed");
    this.#references += 1;
    return this;
  }

  /** One fd referring to it is gone; the last one closes the handle. */
  release(): void {
    if (this.#references === 0) return;
    this.#references -= 1;
    if (this.#references === 0) this.#handle?.release?.();
  }
}

function clampLength(length: number): number {
  if (!Number.isSafeInteger(length) || length < 0) throw fsError(Errno.EINVAL, "bad length");
  return Math.min(length, MAX_IO_LENGTH);
}

function clampData(data: Uint8Array): Uint8Array {
  return data.length > MAX_IO_LENGTH ? data.subarray(0, MAX_IO_LENGTH) : data;
}

function requirePositional(handle: FileHandle, offset: number): void {
  if (!handle.seekable) throw fsError(Errno.ESPIPE, "pread/pwrite on a stream");
  if (!Number.isSafeInteger(offset) || offset < 0) throw fsError(Errno.EINVAL, "negative offset");
}
