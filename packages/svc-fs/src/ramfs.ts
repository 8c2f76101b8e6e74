/**
 * ramfs/tmpfs: the in-memory file system that is the root and /dev, filled from the initramfs.
 *
 * Holds regular files (sparse `ByteStore`s), directories with stable getdents positions,
 * symlinks, hard links and special nodes. It trusts the VFS to have done the Linux checks
 * (see inode.ts) and only keeps its own invariants: link counts (a directory has 2 + one per
 * subdirectory), parent pointers, and c/mtimes from the injected clock.
 */
import { allocateAnonymousDev } from "./anonymous-dev.ts";
import { ByteStore } from "./byte-store.ts";
import { S_IFDIR, S_IFLNK, S_IFREG, direntType } from "./constants.ts";
import { Errno, fsError } from "./errno.ts";
import type {
  DirEntry,
  DirInode,
  FileHandle,
  FileSystem,
  FsClock,
  Inode,
  InodeMeta,
  NewNodeSpec,
  RegularInode,
  SpecialInode,
  SymlinkInode,
} from "./inode.ts";

export interface RamFsOptions {
  readonly clock: FsClock;
  /** Name shown in /proc/mounts ("ramfs", "tmpfs", "devtmpfs"); default "ramfs". */
  readonly type?: string;
  /** Permission bits of the root directory; default 0o755. */
  readonly rootMode?: number;
  readonly dev?: number;
}

export type RamInode = RamDir | RamFile | RamSymlink | RamSpecial;

export class RamFs implements FileSystem {
  readonly type: string;
  readonly dev: number;
  readonly readOnly = false;
  readonly needsDevice = false;
  readonly root: RamDir;
  readonly clock: FsClock;
  #nextIno = 1;

  constructor(options: RamFsOptions) {
    this.clock = options.clock;
    this.type = options.type ?? "ramfs";
    this.dev = options.dev ?? allocateAnonymousDev();
    this.root = new RamDir(this, this.#meta(S_IFDIR | (options.rootMode ?? 0o755), 0, 0, 2), null);
  }

  allocateIno(): number {
    const ino = this.#nextIno;
    this.#nextIno += 1;
    return ino;
  }

  #meta(mode: number, uid: number, gid: number, nlink: number, rdev = 0): InodeMeta {
    const now = this.clock();
    return { mode, uid, gid, nlink, rdev, atime: now, mtime: now, ctime: now };
  }

  /** Builds the inode a `NewNodeSpec` describes (not yet linked anywhere). */
  makeInode(spec: NewNodeSpec, parent: RamDir): RamInode {
    switch (spec.kind) {
      case "regular":
        return new RamFile(this, this.#meta(S_IFREG | spec.mode, spec.uid, spec.gid, 1));
      case "dir":
        return new RamDir(this, this.#meta(S_IFDIR | spec.mode, spec.uid, spec.gid, 2), parent);
      case "symlink":
        return new RamSymlink(this, this.#meta(S_IFLNK | 0o777, spec.uid, spec.gid, 1), spec.target);
      case "special":
        return new RamSpecial(this, this.#meta(spec.mode, spec.uid, spec.gid, 1, spec.rdev));
    }
  }
}

abstract class RamNode {
  readonly fs: RamFs;
  readonly ino: number;
  readonly meta: InodeMeta;

  constructor(fs: RamFs, meta: InodeMeta) {
    this.fs = fs;
    this.ino = fs.allocateIno();
    this.meta = meta;
  }

  abstract size(): number;

  blocks(): number {
    return 0;
  }

  touchChange(): void {
    this.meta.ctime = this.fs.clock();
  }

  touchModify(): void {
    const now = this.fs.clock();
    this.meta.mtime = now;
    this.meta.ctime = now;
  }
}

interface Slot {
  readonly inode: RamInode;
  readonly position: number;
}

export class RamDir extends RamNode implements DirInode {
  readonly kind = "dir";
  #parent: RamDir | null;
  #entries = new Map<string, Slot>();
  #nextPosition = 2;

  constructor(fs: RamFs, meta: InodeMeta, parent: RamDir | null) {
    super(fs, meta);
    this.#parent = parent;
  }

  size(): number {
    return 4096;
  }

  override blocks(): number {
    return 8;
  }

  parent(): RamDir {
    return this.#parent ?? this;
  }

  lookup(name: string): RamInode | undefined {
    return this.#entries.get(name)?.inode;
  }

  *entriesFrom(position: number): Iterable<DirEntry> {
    for (const [name, slot] of this.#entries) {
      if (slot.position < position) continue;
      yield { name, ino: slot.inode.ino, type: direntType(slot.inode.meta.mode), next: slot.position + 1 };
    }
  }

  hasEntries(): boolean {
    return this.#entries.size > 0;
  }

  create(name: string, spec: NewNodeSpec): RamInode {
    const inode = this.fs.makeInode(spec, this);
    this.#insert(name, inode);
    if (inode.kind === "dir") this.meta.nlink += 1;
    this.touchModify();
    return inode;
  }

  link(name: string, inode: Inode): void {
    const node = this.#own(inode);
    if (node.kind === "dir") throw fsError(Errno.EPERM, "hard link to a directory");
    this.#insert(name, node);
    node.meta.nlink += 1;
    node.touchChange();
    this.touchModify();
  }

  unlink(name: string): void {
    const slot = this.#entries.get(name);
    if (slot === undefined) throw fsError(Errno.ENOENT, name);
    this.#entries.delete(name);
    const node = slot.inode;
    if (node.kind === "dir") {
      node.meta.nlink = 0;
      this.meta.nlink -= 1;
    } else {
      node.meta.nlink -= 1;
    }
    node.touchChange();
    this.touchModify();
  }

  rename(oldName: string, newParent: DirInode, newName: string): void {
    const target = this.#own(newParent);
    if (target.kind !== "dir") throw fsError(Errno.ENOTDIR, newName);
    const slot = this.#entries.get(oldName);
    if (slot === undefined) throw fsError(Errno.ENOENT, oldName);
    if (target === this && oldName === newName) return;
    if (target.lookup(newName) !== undefined) target.unlink(newName);
    this.#entries.delete(oldName);
    const node = slot.inode;
    target.#insert(newName, node);
    if (node.kind === "dir" && target !== this) {
      this.meta.nlink -= 1;
      target.meta.nlink += 1;
      node.#parent = target;
    }
    node.touchChange();
    this.touchModify();
    target.touchModify();
  }

  #insert(name: string, inode: RamInode): void {
    if (this.#entries.has(name)) throw fsError(Errno.EEXIST, name);
    this.#entries.set(name, { inode, position: this.#nextPosition });
    this.#nextPosition += 1;
  }

  #own(inode: Inode): RamInode {
    if (
      inode.fs !== this.fs ||
      !(inode instanceof RamDir || inode instanceof RamFile || inode instanceof RamSymlink || inode instanceof RamSpecial)
    ) {
      throw fsError(Errno.EXDEV, "inode of another file system");
    }
    return inode;
  }
}

export class RamFile extends RamNode implements RegularInode {
  readonly kind = "regular";
  readonly #store = new ByteStore();

  size(): number {
    return this.#store.size;
  }

  override blocks(): number {
    return this.#store.blocks;
  }

  open(): FileHandle {
    return {
      seekable: true,
      read: (offset, length) => this.#store.read(offset, length),
      write: (offset, data) => {
        const written = this.#store.write(offset, data);
        this.touchModify();
        return written;
      },
    };
  }

  truncate(size: number): void {
    this.#store.truncate(size);
    this.touchModify();
  }
}

export class RamSymlink extends RamNode implements SymlinkInode {
  readonly kind = "symlink";
  readonly #target: string;

  constructor(fs: RamFs, meta: InodeMeta, target: string) {
    super(fs, meta);
    this.#target = target;
  }

  size(): number {
    return this.#target.length;
  }

  readlink(): string {
    return this.#target;
  }
}

export class RamSpecial extends RamNode implements SpecialInode {
  readonly kind = "special";

  size(): number {
    return 0;
  }
}
