/**
 * Path resolution (Linux's namei): components walked one by one from the root or a start
 * directory, with search permission checked on every directory, `.` and `..` (which stops at
 * the process root and climbs out of mounts), mount crossing, and symlink following limited
 * to 40 links per walk (ELOOP). Trailing slashes demand a directory.
 */
import { MAX_SYMLINK_FOLLOWS, NAME_MAX, PATH_MAX, X_OK } from "./constants.ts";
import { Errno, fsError } from "./errno.ts";
import type { FsContext } from "./fs-context.ts";
import type { MountTable, PathRef } from "./mount.ts";
import { requireAccess } from "./permission.ts";

/** The directory a new/removed name lives in, and that name ("." for "/" or ""). */
export interface ParentAndName {
  readonly parent: PathRef;
  readonly name: string;
  readonly trailingSlash: boolean;
}

export function samePlace(a: PathRef, b: PathRef): boolean {
  return a.mount === b.mount && a.inode === b.inode;
}

function splitPath(path: string): string[] {
  if (path.length >= PATH_MAX) throw fsError(Errno.ENAMETOOLONG, "path");
  const components = path.split("/").filter((part) => part.length > 0);
  for (const component of components) {
    if (component.length > NAME_MAX) throw fsError(Errno.ENAMETOOLONG, component);
  }
  return components;
}

export class PathWalker {
  readonly #mounts: MountTable;
  readonly #ctx: FsContext;
  #linksFollowed = 0;
  #lastStep: ParentAndName | null = null;
  #jumpedTo: string | null = null;

  constructor(mounts: MountTable, ctx: FsContext) {
    this.#mounts = mounts;
    this.#ctx = ctx;
  }

  /** Resolves a whole path; `followLast` says whether a final symlink is followed. */
  resolve(start: PathRef, path: string, followLast: boolean): PathRef {
    if (path.length === 0) throw fsError(Errno.ENOENT, "empty path");
    const components = splitPath(path);
    const from = path.startsWith("/") ? this.#ctx.root : start;
    return this.#walk(from, components, followLast, path.endsWith("/"));
  }

  /** Resolves all but the last component, for operations that create or remove a name. */
  resolveParent(start: PathRef, path: string): ParentAndName {
    if (path.length === 0) throw fsError(Errno.ENOENT, "empty path");
    const components = splitPath(path);
    const from = path.startsWith("/") ? this.#ctx.root : start;
    const name = components.pop() ?? ".";
    const parent = this.#walk(from, components, true, false);
    this.#requireSearchableDir(parent);
    return { parent, name, trailingSlash: path.endsWith("/") };
  }

  /** The directory and name of the last component stepped into (null if none was). */
  get lastStep(): ParentAndName | null {
    return this.#lastStep;
  }

  /** The readlink text of a magic link if the walk ended by jumping through one, else null. */
  get jumpedTo(): string | null {
    return this.#jumpedTo;
  }

  /** Counts one more symlink followed in this walk; ELOOP past the limit of 40. */
  countLink(): void {
    this.#linksFollowed += 1;
    if (this.#linksFollowed > MAX_SYMLINK_FOLLOWS) throw fsError(Errno.ELOOP, "too many symbolic links");
  }

  /** The child `name` of directory `dir`, with mounts on it crossed; undefined if absent. */
  child(dir: PathRef, name: string): PathRef | undefined {
    if (dir.inode.kind !== "dir") throw fsError(Errno.ENOTDIR, name);
    const inode = dir.inode.lookup(name);
    if (inode === undefined) return undefined;
    let place: PathRef = { mount: dir.mount, inode };
    for (let mount = this.#mounts.mountedAt(place); mount !== undefined; mount = this.#mounts.mountedAt(place)) {
      place = { mount, inode: mount.root };
    }
    return place;
  }

  /** `..` of a directory: stays at the process root, climbs out of mounts. */
  up(place: PathRef): PathRef {
    let current = place;
    for (;;) {
      if (samePlace(current, this.#ctx.root)) return current;
      const mountpoint = current.mount.mountpoint;
      if (current.inode !== current.mount.root || mountpoint === null) break;
      current = mountpoint;
    }
    if (current.inode.kind !== "dir") throw fsError(Errno.ENOTDIR, "..");
    return { mount: current.mount, inode: current.inode.parent() };
  }

  #requireSearchableDir(place: PathRef): void {
    if (place.inode.kind !== "dir") throw fsError(Errno.ENOTDIR, "path component");
    requireAccess(this.#ctx.cred, place.inode.meta, X_OK, "search permission");
  }

  #walk(from: PathRef, components: string[], followLast: boolean, trailingSlash: boolean): PathRef {
    const pending = components.reverse();
    let current = from;
    for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
      this.#requireSearchableDir(current);
      if (name === ".") continue;
      if (name === "..") {
        current = this.up(current);
        continue;
      }
      const next = this.child(current, name);
      if (next === undefined) throw fsError(Errno.ENOENT, name);
      const isLast = pending.length === 0;
      if (next.inode.kind === "symlink" && (!isLast || followLast || trailingSlash)) {
        this.countLink();
        const jump = next.inode.jump?.();
        if (jump !== undefined) {
          this.#jumpedTo = next.inode.readlink();
          current = jump;
          continue;
        }
        const target = next.inode.readlink();
        if (target.length === 0) throw fsError(Errno.ENOENT, "empty symlink");
        if (target.startsWith("/")) current = this.#ctx.root;
        pending.push(...splitPath(target).reverse());
        continue;
      }
      this.#lastStep = { parent: current, name, trailingSlash };
      this.#jumpedTo = null;
      current = next;
    }
    if (trailingSlash && current.inode.kind !== "dir") throw fsError(Errno.ENOTDIR, "trailing slash");
    return current;
  }
}
