/**
 * devfs: a ramfs (type "devtmpfs") whose nodes the kernel adds as it registers devices, so
 * /dev shows exactly the devices that exist. Ships Linux's memory devices and the /dev/fd,
 * /dev/std{in,out,err} links into /proc; further devices (console, tty, ...) come from the
 * kernel through `addCharDevice`. Mount it with `vfs.mount(ctx, devfs.fs, null, "/dev")`.
 */
import { S_IFCHR, makedev } from "./constants.ts";
import {
  type CharDevice,
  type EntropySource,
  MEMORY_DEVICE_MAJOR,
  MEMORY_DEVICE_MINORS,
  fullDevice,
  nullDevice,
  randomDevice,
  zeroDevice,
} from "./devices.ts";
import { Errno, fsError } from "./errno.ts";
import { type RamDir, RamFs } from "./ramfs.ts";
import type { Vfs } from "./vfs.ts";

export interface DevFsOptions {
  /** Source of /dev/random and /dev/urandom bytes (never the host's). */
  readonly entropy: EntropySource;
}

export class DevFs {
  readonly fs: RamFs;
  readonly #vfs: Vfs;

  constructor(vfs: Vfs, options: DevFsOptions) {
    this.#vfs = vfs;
    this.fs = new RamFs({ clock: vfs.clock, type: "devtmpfs" });
    const random = randomDevice(options.entropy);
    const memoryDevices: readonly [keyof typeof MEMORY_DEVICE_MINORS, CharDevice][] = [
      ["null", nullDevice],
      ["zero", zeroDevice],
      ["full", fullDevice],
      ["random", random],
      ["urandom", random],
    ];
    for (const [name, device] of memoryDevices) {
      this.addCharDevice(name, MEMORY_DEVICE_MAJOR, MEMORY_DEVICE_MINORS[name], device, 0o666);
    }
    this.addSymlink("fd", "/proc/self/fd");
    this.addSymlink("stdin", "/proc/self/fd/0");
    this.addSymlink("stdout", "/proc/self/fd/1");
    this.addSymlink("stderr", "/proc/self/fd/2");
  }

  /**
   * Registers `device` under major:minor and creates its node `/dev/<path>` (intermediate
   * directories such as "pts" are created as needed).
   */
  addCharDevice(path: string, major: number, minor: number, device: CharDevice, mode = 0o600, gid = 0): void {
    this.#vfs.devices.register(major, minor, device);
    const { dir, name } = this.#directoryFor(path);
    dir.create(name, { kind: "special", mode: S_IFCHR | (mode & 0o7777), rdev: makedev(major, minor), uid: 0, gid });
  }

  /** Unregisters a device and removes its node. */
  removeCharDevice(path: string, major: number, minor: number): void {
    this.#vfs.devices.unregister(major, minor);
    const { dir, name } = this.#directoryFor(path);
    if (dir.lookup(name) !== undefined) dir.unlink(name);
  }

  addSymlink(path: string, target: string): void {
    const { dir, name } = this.#directoryFor(path);
    dir.create(name, { kind: "symlink", target, uid: 0, gid: 0 });
  }

  #directoryFor(path: string): { dir: RamDir; name: string } {
    const parts = path.split("/").filter((part) => part.length > 0);
    const name = parts.pop();
    if (name === undefined || name === "." || name === "..") throw fsError(Errno.EINVAL, `device path ${path}`);
    let dir = this.fs.root;
    for (const part of parts) {
      const existing = dir.lookup(part);
      if (existing === undefined) {
        const created = dir.create(part, { kind: "dir", mode: 0o755, uid: 0, gid: 0 });
        if (created.kind !== "dir") throw fsError(Errno.EIO, "mkdir made a non-directory");
        dir = created;
      } else if (existing.kind === "dir") {
        dir = existing;
      } else {
        throw fsError(Errno.ENOTDIR, part);
      }
    }
    return { dir, name };
  }
}
