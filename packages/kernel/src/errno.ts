/**
 * Linux error numbers as the kernel returns them, and the one exception type syscall
 * handlers throw.
 *
 * Style: a handler returns its non-negative result or throws `SyscallError`; the dispatcher
 * turns the error into `-errno` in RAX in exactly one place. The errno table itself is
 * svc-fs's (the file systems throw `FsError` with the same numbers), so the dispatcher
 * passes file-system errors through unchanged.
 */

import { Errno as LinuxErrno, errnoName, type ErrnoValue } from "@asterism/svc-fs";

export const Errno = LinuxErrno;
export type Errno = ErrnoValue;
export { errnoName };

/** A failed syscall: carries the errno that goes back to user space as `-errno`. */
export class SyscallError extends Error {
  readonly errno: Errno;

  constructor(errno: Errno, detail?: string) {
    const name = errnoName(errno);
    super(detail === undefined ? name : `${name}: ${detail}`);
    this.name = "SyscallError";
    this.errno = errno;
  }
}

/** Shorthand at failure sites: `throw sysError(Errno.EBADF, "fd 7")`. */
export function sysError(errno: Errno, detail?: string): SyscallError {
  return new SyscallError(errno, detail);
}
