/**
 * The mount table: which file system is grafted where, and the (mount, inode) pairs that name
 * a place in the tree. A directory inode alone is ambiguous once a file system is mounted
 * twice, so the path walker always carries its mount along.
 */
import { Errno, fsError } from "./errno.ts";
import type { DirInode, FileSystem, Inode } from "./inode.ts";

export interface Mount {
  readonly id: number;
  readonly fs: FileSystem;
  readonly root: DirInode;
  /** Where it is attached (null for the namespace root). */
  readonly mountpoint: PathRef | null;
  readonly parent: Mount | null;
  /** The source column of /proc/mounts ("none", "proc", "/dev/vda"). */
  readonly source: string;
}

/** A place in the tree: an inode as seen through one mount. */
export interface PathRef {
  readonly mount: Mount;
  readonly inode: Inode;
}

export class MountTable {
  #mounts: Mount[] = [];
  #byMountpoint = new Map<Inode, Mount[]>();
  #nextId = 1;

  constructor(rootFs: FileSystem, source: string) {
    this.#add(rootFs, null, source);
  }

  get root(): Mount {
    const root = this.#mounts[0];
    if (root === undefined) throw new Error("mount table lost its root");
    return root;
  }

  /** Every mount in mount order (parents before children), as /proc/mounts lists them. */
  list(): readonly Mount[] {
    return this.#mounts;
  }

  /** The mount attached at `place`, if any (the most recent one if several were stacked). */
  mountedAt(place: PathRef): Mount | undefined {
    const candidates = this.#byMountpoint.get(place.inode);
    if (candidates === undefined) return undefined;
    for (let index = candidates.length - 1; index >= 0; index -= 1) {
      const candidate = candidates[index];
      if (candidate?.parent === place.mount) return candidate;
    }
    return undefined;
  }

  isMountpoint(place: PathRef): boolean {
    return this.mountedAt(place) !== undefined;
  }

  /**
   * A mount that is in no tree and not listed (like Linux's internal pipefs mount): the
   * home of anonymous inodes such as pipe ends.
   */
  detached(fs: FileSystem, source: string): Mount {
    return { id: 0, fs, root: fs.root, mountpoint: null, parent: null, source };
  }

  attach(fs: FileSystem, mountpoint: PathRef, source: string): Mount {
    if (mountpoint.inode.kind !== "dir") throw fsError(Errno.ENOTDIR, "mountpoint");
    return this.#add(fs, mountpoint, source);
  }

  detach(mount: Mount): void {
    if (mount.parent === null) throw fsError(Errno.EBUSY, "cannot unmount the root");
    if (this.#mounts.some((other) => other.parent === mount)) throw fsError(Errno.EBUSY, "mounts below it");
    this.#mounts = this.#mounts.filter((other) => other !== mount);
    const point = mount.mountpoint;
    if (point === null) return;
    const remaining = (this.#byMountpoint.get(point.inode) ?? []).filter((other) => other !== mount);
    if (remaining.length === 0) this.#byMountpoint.delete(point.inode);
    else this.#byMountpoint.set(point.inode, remaining);
  }

  #add(fs: FileSystem, mountpoint: PathRef | null, source: string): Mount {
    const mount: Mount = {
      id: this.#nextId,
      fs,
      root: fs.root,
      mountpoint,
      parent: mountpoint?.mount ?? null,
      source,
    };
    this.#nextId += 1;
    this.#mounts.push(mount);
    if (mountpoint !== null) {
      const list = this.#byMountpoint.get(mountpoint.inode) ?? [];
      list.push(mount);
      this.#byMountpoint.set(mountpoint.inode, list);
    }
    return mount;
  }
}
