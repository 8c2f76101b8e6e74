/**
 * Turning a place back into a path (getcwd, /proc/mounts, an open file's name): climb parent
 * directories and mount points up to a root, naming each directory by looking it up in its
 * parent. Computed on demand rather than cached, so it stays right after renames.
 */
import type { DirInode, Inode } from "./inode.ts";
import type { PathRef } from "./mount.ts";
import { samePlace } from "./path-walk.ts";

/** The name under which `dir` lists `child` (".." if it is no longer listed there). */
function nameIn(dir: DirInode, child: Inode): string {
  for (const entry of dir.entriesFrom(2)) {
    if (entry.ino === child.ino && dir.lookup(entry.name) === child) return entry.name;
  }
  return "..";
}

/** The absolute path of a directory (or mount root) `place` as seen from `root`. */
export function absolutePath(place: PathRef, root: PathRef): string {
  const names: string[] = [];
  let current = place;
  while (!samePlace(current, root)) {
    const mountpoint = current.mount.mountpoint;
    if (current.inode === current.mount.root) {
      if (mountpoint === null) break;
      current = mountpoint;
      continue;
    }
    if (current.inode.kind !== "dir") break;
    const parent = current.inode.parent();
    names.push(nameIn(parent, current.inode));
    current = { mount: current.mount, inode: parent };
  }
  return `/${names.reverse().join("/")}`;
}
