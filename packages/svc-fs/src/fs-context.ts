/**
 * A process's file-system state (Linux's fs_struct plus the fs credentials): root, current
 * directory, umask. The kernel owns one per process, passes it to every path-taking VFS call,
 * and copies it on fork (`clone()`) or shares it for CLONE_FS threads.
 */
import type { PathRef } from "./mount.ts";
import type { Credentials } from "./permission.ts";

export class FsContext {
  cred: Credentials;
  root: PathRef;
  cwd: PathRef;
  umask: number;

  constructor(cred: Credentials, root: PathRef, cwd: PathRef = root, umask = 0o022) {
    this.cred = cred;
    this.root = root;
    this.cwd = cwd;
    this.umask = umask;
  }

  clone(): FsContext {
    return new FsContext(this.cred, this.root, this.cwd, this.umask);
  }

  /** Sets the umask and returns the old one, as umask(2) does. */
  swapUmask(mask: number): number {
    const old = this.umask;
    this.umask = mask & 0o777;
    return old;
  }
}
