/**
 * Character devices: the interface the kernel implements for its devices (console, tty, ...),
 * the registry that maps a device number to one, and the memory devices every Linux has
 * (null, zero, full, random, urandom). Opening any S_IFCHR inode, in any file system, goes
 * through the registry by its rdev, exactly as Linux does.
 */
import { POLLIN, POLLOUT, makedev } from "./constants.ts";
import { Errno, fsError } from "./errno.ts";
import type { FileHandle, IoCaller } from "./inode.ts";

/**
 * A character device. Reads and writes may complete later (return a promise); a device that
 * would block and sees `nonblock` throws FsError(EAGAIN). Omitted members behave as Linux's
 * defaults: ioctl -> ENOTTY, poll -> always ready, open/release -> nothing.
 */
export interface CharDevice {
  /** Called on every open (throw FsError to refuse, e.g. ENXIO or EBUSY). */
  open?(flags: number): void;
  read(length: number, nonblock: boolean, caller: IoCaller): Uint8Array | Promise<Uint8Array>;
  write(data: Uint8Array, nonblock: boolean, caller: IoCaller): number | Promise<number>;
  ioctl?(request: number, arg: number, caller: IoCaller): number | Promise<number>;
  /** Absent: ESPIPE, as for ttys. */
  lseek?(offset: number, whence: number): number;
  poll?(events: number): number;
  subscribe?(listener: () => void): () => void;
  release?(): void;
}

/** Fills a buffer with random bytes; injected (the board's RNG or a seeded generator). */
export type EntropySource = (out: Uint8Array) => void;

export class DeviceRegistry {
  readonly #devices = new Map<number, CharDevice>();

  register(major: number, minor: number, device: CharDevice): void {
    const rdev = makedev(major, minor);
    if (this.#devices.has(rdev)) throw fsError(Errno.EBUSY, `device ${String(major)}:${String(minor)} taken`);
    this.#devices.set(rdev, device);
  }

  unregister(major: number, minor: number): void {
    this.#devices.delete(makedev(major, minor));
  }

  lookup(rdev: number): CharDevice | undefined {
    return this.#devices.get(rdev);
  }

  /** A fresh open-file handle on device `rdev` (ENXIO when nothing is registered there). */
  open(rdev: number, flags: number): FileHandle {
    const device = this.#devices.get(rdev);
    if (device === undefined) throw fsError(Errno.ENXIO, "no such device");
    device.open?.(flags);
    const handle: FileHandle = {
      seekable: false,
      read: (_offset, length, nonblock, caller) => device.read(length, nonblock, caller),
      write: (_offset, data, nonblock, caller) => device.write(data, nonblock, caller),
      ioctl: (request, arg, caller) => {
        if (device.ioctl === undefined) throw fsError(Errno.ENOTTY, "device has no ioctls");
        return device.ioctl(request, arg, caller);
      },
      poll: (events) => (device.poll === undefined ? events & (POLLIN | POLLOUT) : device.poll(events)),
      release: () => {
        device.release?.();
      },
    };
    const lseek = device.lseek?.bind(device);
    const subscribe = device.subscribe?.bind(device);
    return {
      ...handle,
      ...(lseek === undefined ? {} : { lseek }),
      ...(subscribe === undefined ? {} : { subscribe }),
    };
  }
}

/** Memory devices accept any lseek and stay at 0. */
const seekToZero = (): number => 0;

/** /dev/null: reads end of file, writes vanish. */
export const nullDevice: CharDevice = {
  read: () => new Uint8Array(0),
  write: (data) => data.length,
  lseek: seekToZero,
};

/** /dev/zero: endless zeros, writes vanish. */
export const zeroDevice: CharDevice = {
  read: (length) => new Uint8Array(length),
  write: (data) => data.length,
  lseek: seekToZero,
};

/** /dev/full: endless zeros, every write fails with ENOSPC. */
export const fullDevice: CharDevice = {
  lseek: seekToZero,
  read: (length) => new Uint8Array(length),
  write: () => {
    throw fsError(Errno.ENOSPC, "/dev/full");
  },
};

/** /dev/random and /dev/urandom: bytes from the injected entropy source; writes are accepted. */
export function randomDevice(entropy: EntropySource): CharDevice {
  return {
    read: (length) => {
      const bytes = new Uint8Array(length);
      entropy(bytes);
      return bytes;
    },
    write: (data) => data.length,
    lseek: seekToZero,
  };
}

/** The Linux numbers of the memory devices: (major 1, minor). */
export const MEMORY_DEVICE_MINORS = { null: 3, zero: 5, full: 7, random: 8, urandom: 9 } as const;
export const MEMORY_DEVICE_MAJOR = 1;
