/**
 * The virtual file system: one mount namespace plus the syscall-shaped operations the kernel
 * calls with a process's `FsContext`. Every path-taking method mirrors its *at(2) syscall:
 * `at` is the dirfd's open file, or null for AT_FDCWD; flags are Linux's. Failures throw
 * `FsError` (see errno.ts). Tree-changing operations live in tree-ops.ts, attribute changes in
 * attribute-ops.ts; this file owns resolution, opening and the namespace itself.
 */
import { changeMode, changeOwner, changeTimes, truncateInode } from "./attribute-ops.ts";
import {
  AT_EMPTY_PATH,
  AT_SYMLINK_NOFOLLOW,
  O_ACCMODE,
  O_CREAT,
  O_DIRECTORY,
  O_EXCL,
  O_NOFOLLOW,
  O_PATH,
  O_RDONLY,
  O_RDWR,
  O_TRUNC,
  O_WRONLY,
  R_OK,
  S_IFCHR,
  S_IFIFO,
  S_IFMT,
  W_OK,
  X_OK,
} from "./constants.ts";
import { DeviceRegistry } from "./devices.ts";
import { Errno, fsError } from "./errno.ts";
import { FsContext } from "./fs-context.ts";
import {
  type FileHandle,
  type FileSystem,
  type FsClock,
  type Inode,
  type IoCaller,
  KERNEL_CALLER,
  type SpecialInode,
  type Timespec,
} from "./inode.ts";
import { type Mount, MountTable, type PathRef } from "./mount.ts";
import { OpenFile } from "./open-file.ts";
import { absolutePath } from "./path-name.ts";
import { PathWalker } from "./path-walk.ts";
import { type Credentials, ROOT_CREDENTIALS, dropSetIdOnModify, requireAccess } from "./permission.ts";
import { formatFilesystems, formatMounts } from "./proc-text.ts";
import { RamFs } from "./ramfs.ts";
import { type Stat, statOf } from "./stat.ts";
import { type StatFs, statfsOf } from "./statfs.ts";
import { linkAt, mkdirAt, mknodAt, renameAt, symlinkAt, unlinkAt } from "./tree-ops.ts";

/** Opens a FIFO node; the kernel supplies it (pipe buffers and blocking are its business). */
export type FifoOpener = (inode: SpecialInode, flags: number, caller: IoCaller) => FileHandle | Promise<FileHandle>;

export interface VfsOptions {
  readonly clock: FsClock;
  /** The root file system; default a fresh ramfs shown as "rootfs". */
  readonly rootFs?: FileSystem;
  readonly fifoOpener?: FifoOpener;
}

export class Vfs {
  readonly clock: FsClock;
  readonly devices = new DeviceRegistry();
  readonly mounts: MountTable;
  readonly #fifoOpener: FifoOpener | undefined;
  readonly #filesystemTypes = new Map<string, boolean>();
  readonly #anonymous: { readonly fs: RamFs; readonly mount: Mount };

  constructor(options: VfsOptions) {
    this.clock = options.clock;
    this.#fifoOpener = options.fifoOpener;
    const rootFs = options.rootFs ?? new RamFs({ clock: options.clock, type: "rootfs" });
    this.registerFilesystemType(rootFs.type, rootFs.needsDevice);
    this.mounts = new MountTable(rootFs, rootFs.type);
    const anonymousFs = new RamFs({ clock: options.clock, type: "pipefs" });
    this.#anonymous = { fs: anonymousFs, mount: this.mounts.detached(anonymousFs, "pipefs") };
  }

  /**
   * An open file over a kernel-made handle that has no name in the tree: pipe2 ends, sockets,
   * eventfds. It gets a fresh inode of type `fileType` (default S_IFIFO) owned by the caller,
   * so fstat, poll, fcntl and release behave as for any other open file.
   */
  openAnonymous(ctx: FsContext, handle: FileHandle, flags: number, fileType: number = S_IFIFO): OpenFile {
    const anonymous = this.#anonymous;
    const inode = anonymous.fs.makeInode(
      { kind: "special", mode: (fileType & S_IFMT) | 0o600, rdev: 0, uid: ctx.cred.uid, gid: ctx.cred.gid },
      anonymous.fs.root,
    );
    const name = fileType === S_IFIFO ? "pipe" : "anon_inode";
    return new OpenFile({ mount: anonymous.mount, inode }, `${name}:[${String(inode.ino)}]`, ctx.cred, flags, handle);
  }

  /** A fresh process context at the namespace root (the init process's). */
  createContext(cred: Credentials = ROOT_CREDENTIALS): FsContext {
    const root: PathRef = { mount: this.mounts.root, inode: this.mounts.root.root };
    return new FsContext(cred, root);
  }

  /** Adds a line to /proc/filesystems. */
  registerFilesystemType(type: string, needsDevice: boolean): void {
    this.#filesystemTypes.set(type, needsDevice);
  }

  walker(ctx: FsContext): PathWalker {
    return new PathWalker(this.mounts, ctx);
  }

  /** Where a relative path starts: the dirfd's place, or the cwd. */
  startOf(ctx: FsContext, at: OpenFile | null): PathRef {
    return at === null ? ctx.cwd : at.place;
  }

  /** Resolves a path; AT_SYMLINK_NOFOLLOW keeps a final symlink, AT_EMPTY_PATH allows "" (= `at`). */
  lookup(ctx: FsContext, at: OpenFile | null, path: string, flags = 0): PathRef {
    if (path.length === 0 && (flags & AT_EMPTY_PATH) !== 0) return this.startOf(ctx, at);
    return this.walker(ctx).resolve(this.startOf(ctx, at), path, (flags & AT_SYMLINK_NOFOLLOW) === 0);
  }

  stat(ctx: FsContext, at: OpenFile | null, path: string, flags = 0): Stat {
    return statOf(this.lookup(ctx, at, path, flags).inode);
  }

  /** statfs(2); fstatfs is `statfs(ctx, file, "", AT_EMPTY_PATH)`. */
  statfs(ctx: FsContext, at: OpenFile | null, path: string, flags = 0): StatFs {
    return statfsOf(this.lookup(ctx, at, path, flags).inode.fs);
  }

  /** faccessat(2): checks R_OK/W_OK/X_OK (F_OK = existence) against the context's credentials. */
  access(ctx: FsContext, at: OpenFile | null, path: string, mode: number, flags = 0): void {
    if ((mode & ~7) !== 0) throw fsError(Errno.EINVAL, "access mode");
    const place = this.lookup(ctx, at, path, flags);
    if ((mode & W_OK) !== 0) this.requireWritableFs(place.inode);
    requireAccess(ctx.cred, place.inode.meta, mode, path);
  }

  readlink(ctx: FsContext, at: OpenFile | null, path: string): string {
    const inode = this.lookup(ctx, at, path, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH).inode;
    if (inode.kind !== "symlink") throw fsError(Errno.EINVAL, "not a symbolic link");
    return inode.readlink();
  }

  /**
   * openat(2). `mode` is used (after umask) only when O_CREAT creates the file; `caller`
   * reaches FIFO opens, which may block until the other end appears.
   */
  async open(
    ctx: FsContext,
    at: OpenFile | null,
    path: string,
    flags: number,
    mode = 0o666,
    caller: IoCaller = KERNEL_CALLER,
  ): Promise<OpenFile> {
    const walker = this.walker(ctx);
    const start = this.startOf(ctx, at);
    if ((flags & O_CREAT) !== 0 && (flags & O_PATH) === 0) {
      const { place, pathName, created } = this.#resolveForCreate(ctx, walker, start, path, flags, mode);
      return this.#openPlace(ctx, place, pathName, flags, created, caller);
    }
    if (path.length === 0) throw fsError(Errno.ENOENT, "empty path");
    const place = walker.resolve(start, path, (flags & O_NOFOLLOW) === 0);
    const step = walker.lastStep;
    const pathName =
      walker.jumpedTo ?? (step === null || place.inode.kind === "dir" ? this.pathOf(place) : this.#childPath(step.parent, step.name));
    return this.#openPlace(ctx, place, pathName, flags, false, caller);
  }

  /** Reads a whole regular file (execve, the kernel's own config reads), permission-checked. */
  async readFile(ctx: FsContext, at: OpenFile | null, path: string): Promise<Uint8Array> {
    const file = await this.open(ctx, at, path, O_RDONLY);
    try {
      const size = file.inode.size();
      const out = new Uint8Array(size);
      let filled = 0;
      while (filled < size) {
        const chunk = await file.pread(filled, size - filled);
        if (chunk.length === 0) break;
        out.set(chunk, filled);
        filled += chunk.length;
      }
      return out.subarray(0, filled);
    } finally {
      file.release();
    }
  }

  mkdir(ctx: FsContext, at: OpenFile | null, path: string, mode: number): void {
    mkdirAt(this, ctx, at, path, mode);
  }

  mknod(ctx: FsContext, at: OpenFile | null, path: string, mode: number, rdev = 0): void {
    mknodAt(this, ctx, at, path, mode, rdev);
  }

  symlink(ctx: FsContext, target: string, at: OpenFile | null, path: string): void {
    symlinkAt(this, ctx, target, at, path);
  }

  link(ctx: FsContext, oldAt: OpenFile | null, oldPath: string, newAt: OpenFile | null, newPath: string, flags = 0): void {
    linkAt(this, ctx, oldAt, oldPath, newAt, newPath, flags);
  }

  /** unlinkat(2); AT_REMOVEDIR in `flags` makes it rmdir. */
  unlink(ctx: FsContext, at: OpenFile | null, path: string, flags = 0): void {
    unlinkAt(this, ctx, at, path, flags);
  }

  rename(ctx: FsContext, oldAt: OpenFile | null, oldPath: string, newAt: OpenFile | null, newPath: string, flags = 0): void {
    renameAt(this, ctx, oldAt, oldPath, newAt, newPath, flags);
  }

  /** fchmodat(2); fchmod is `chmod(ctx, file, "", mode, AT_EMPTY_PATH)`. */
  chmod(ctx: FsContext, at: OpenFile | null, path: string, mode: number, flags = 0): void {
    if ((flags & AT_SYMLINK_NOFOLLOW) !== 0) throw fsError(Errno.EOPNOTSUPP, "chmod of a symlink");
    changeMode(this, ctx, this.lookup(ctx, at, path, flags).inode, mode);
  }

  /** fchownat(2); -1 keeps an id. */
  chown(ctx: FsContext, at: OpenFile | null, path: string, uid: number, gid: number, flags = 0): void {
    changeOwner(this, ctx, this.lookup(ctx, at, path, flags).inode, uid, gid);
  }

  /** utimensat(2); `times` null sets both to now; nsec may be UTIME_NOW / UTIME_OMIT. */
  utimens(ctx: FsContext, at: OpenFile | null, path: string, times: readonly [Timespec, Timespec] | null, flags = 0): void {
    changeTimes(this, ctx, this.lookup(ctx, at, path, flags).inode, times);
  }

  /** truncate(2) by path (ftruncate is `OpenFile.truncate`). */
  truncate(ctx: FsContext, at: OpenFile | null, path: string, size: number): void {
    truncateInode(this, ctx, this.lookup(ctx, at, path).inode, size);
  }

  chdir(ctx: FsContext, at: OpenFile | null, path: string): void {
    const place = this.lookup(ctx, at, path, path.length === 0 ? AT_EMPTY_PATH : 0);
    if (place.inode.kind !== "dir") throw fsError(Errno.ENOTDIR, path);
    requireAccess(ctx.cred, place.inode.meta, X_OK, path);
    ctx.cwd = place;
  }

  /** chroot(2): root only; the new root must be a searchable directory. The cwd is left alone, as on Linux. */
  chroot(ctx: FsContext, at: OpenFile | null, path: string): void {
    if (ctx.cred.uid !== 0) throw fsError(Errno.EPERM, "chroot needs root");
    const place = this.lookup(ctx, at, path);
    if (place.inode.kind !== "dir") throw fsError(Errno.ENOTDIR, path);
    requireAccess(ctx.cred, place.inode.meta, X_OK, path);
    ctx.root = place;
  }

  /** getcwd(2): ENOENT once the current directory has been removed. */
  getcwd(ctx: FsContext): string {
    if (ctx.cwd.inode.meta.nlink === 0) throw fsError(Errno.ENOENT, "current directory was removed");
    return this.pathOf(ctx.cwd, ctx.root);
  }

  /** The absolute path of a directory (or a mount root), as seen from `root`. */
  pathOf(place: PathRef, root: PathRef = { mount: this.mounts.root, inode: this.mounts.root.root }): string {
    return absolutePath(place, root);
  }


  /** mount(2) of an already-constructed file system on a directory (root only). */
  mount(ctx: FsContext, fs: FileSystem, at: OpenFile | null, path: string, source = "none"): Mount {
    if (ctx.cred.uid !== 0) throw fsError(Errno.EPERM, "mount needs root");
    const place = this.lookup(ctx, at, path);
    this.registerFilesystemType(fs.type, fs.needsDevice);
    return this.mounts.attach(fs, place, source);
  }

  /** umount2(2): `path` must name the root of a mount. */
  umount(ctx: FsContext, at: OpenFile | null, path: string): void {
    if (ctx.cred.uid !== 0) throw fsError(Errno.EPERM, "umount needs root");
    const place = this.lookup(ctx, at, path);
    if (place.inode !== place.mount.root) throw fsError(Errno.EINVAL, "not a mount point");
    this.mounts.detach(place.mount);
  }

  /** The text of /proc/mounts. */
  mountsText(): string {
    return formatMounts(
      this.mounts.list().map((mount) => ({
        source: mount.source,
        path: this.pathOf({ mount, inode: mount.root }),
        type: mount.fs.type,
        readOnly: mount.fs.readOnly,
      })),
    );
  }

  /** The text of /proc/filesystems. */
  filesystemsText(): string {
    return formatFilesystems(this.#filesystemTypes);
  }

  requireWritableFs(inode: Inode): void {
    if (inode.fs.readOnly) throw fsError(Errno.EROFS, "read-only file system");
  }

  /** Owner, group and mode a new inode gets in `parent` (umask applied, setgid dirs honoured). */
  newOwnership(ctx: FsContext, parent: Inode, mode: number, isDir: boolean): { mode: number; uid: number; gid: number } {
    const setgidParent = (parent.meta.mode & 0o2000) !== 0;
    let permissions = mode & 0o7777 & ~ctx.umask;
    if (setgidParent && isDir) permissions |= 0o2000;
    return { mode: permissions, uid: ctx.cred.uid, gid: setgidParent ? parent.meta.gid : ctx.cred.gid };
  }

  #childPath(parent: PathRef, name: string): string {
    const base = this.pathOf(parent);
    return base === "/" ? `/${name}` : `${base}/${name}`;
  }

  #resolveForCreate(
    ctx: FsContext,
    walker: PathWalker,
    start: PathRef,
    path: string,
    flags: number,
    mode: number,
  ): { place: PathRef; pathName: string; created: boolean } {
    let base = start;
    let remaining = path;
    for (;;) {
      const { parent, name, trailingSlash } = walker.resolveParent(base, remaining);
      if (name === "." || name === "..") {
        throw fsError((flags & O_EXCL) !== 0 ? Errno.EEXIST : Errno.EISDIR, "O_CREAT of a directory");
      }
      if (trailingSlash) throw fsError(Errno.EISDIR, "O_CREAT with a trailing slash");
      const existing = walker.child(parent, name);
      if (existing === undefined) {
        requireAccess(ctx.cred, parent.inode.meta, W_OK | X_OK, name);
        this.requireWritableFs(parent.inode);
        if (parent.inode.kind !== "dir") throw fsError(Errno.ENOTDIR, name);
        const owner = this.newOwnership(ctx, parent.inode, mode, false);
        const inode = parent.inode.create(name, { kind: "regular", ...owner });
        return { place: { mount: parent.mount, inode }, pathName: this.#childPath(parent, name), created: true };
      }
      if ((flags & O_EXCL) !== 0) throw fsError(Errno.EEXIST, name);
      if (existing.inode.kind === "symlink") {
        if ((flags & O_NOFOLLOW) !== 0) throw fsError(Errno.ELOOP, `${name} is a symbolic link`);
        walker.countLink();
        const jump = existing.inode.jump?.();
        if (jump !== undefined) return { place: jump, pathName: existing.inode.readlink(), created: false };
        base = parent;
        remaining = existing.inode.readlink();
        if (remaining.length === 0) throw fsError(Errno.ENOENT, "empty symlink");
        continue;
      }
      return { place: existing, pathName: this.#childPath(parent, name), created: false };
    }
  }

  async #openPlace(
    ctx: FsContext,
    place: PathRef,
    pathName: string,
    flags: number,
    created: boolean,
    caller: IoCaller,
  ): Promise<OpenFile> {
    const inode = place.inode;
    if ((flags & O_DIRECTORY) !== 0 && inode.kind !== "dir") throw fsError(Errno.ENOTDIR, pathName);
    if ((flags & O_PATH) !== 0) return new OpenFile(place, pathName, ctx.cred, flags, null);
    if (inode.kind === "symlink") throw fsError(Errno.ELOOP, `${pathName} is a symbolic link`);
    const accessMode = flags & O_ACCMODE;
    const wantsWrite = accessMode === O_WRONLY || accessMode === O_RDWR || accessMode === O_ACCMODE || (flags & O_TRUNC) !== 0;
    const wantsRead = accessMode === O_RDONLY || accessMode === O_RDWR || accessMode === O_ACCMODE;
    if (inode.kind === "dir" && ((flags & O_CREAT) !== 0 || wantsWrite)) throw fsError(Errno.EISDIR, pathName);
    if (!created) requireAccess(ctx.cred, inode.meta, (wantsRead ? R_OK : 0) | (wantsWrite ? W_OK : 0), pathName);
    if (wantsWrite && inode.kind !== "special") this.requireWritableFs(inode);
    let handle: FileHandle | null = null;
    if (inode.kind === "regular") {
      if ((flags & O_TRUNC) !== 0 && !created) {
        dropSetIdOnModify(ctx.cred, inode.meta);
        inode.truncate(0);
      }
      handle = inode.open(flags);
    } else if (inode.kind === "special") {
      handle = await this.#openSpecial(inode, flags, caller);
    }
    return new OpenFile(place, pathName, ctx.cred, flags, handle);
  }

  async #openSpecial(inode: SpecialInode, flags: number, caller: IoCaller): Promise<FileHandle> {
    const type = inode.meta.mode & S_IFMT;
    if (type === S_IFCHR) return this.devices.open(inode.meta.rdev, flags);
    if (type === S_IFIFO) {
      if (this.#fifoOpener === undefined) throw fsError(Errno.ENXIO, "FIFOs are not supported by this kernel");
      return this.#fifoOpener(inode, flags, caller);
    }
    throw fsError(Errno.ENXIO, "block devices and sockets cannot be opened");
  }
}
