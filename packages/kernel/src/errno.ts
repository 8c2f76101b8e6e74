/**
 * Linux error numbers as the kernel returns them, and the one exception type syscall
 * handlers throw.
 *
 * Style: a handler returns its non-negative result or throws `SyscallError`; the dispatcher
 * turns the error into `-errno` in RAX in exactly one place. svc-fs has its own, smaller
 * `Errno`/`FsError` for the file-system part; the numbers are the same Linux x86-64 values,
 * so the dispatcher passes them through unchanged.
 */

export const Errno = {
  EPERM: 1,
  ENOENT: 2,
  ESRCH: 3,
  EINTR: 4,
  EIO: 5,
  ENXIO: 6,
  E2BIG: 7,
  ENOEXEC: 8,
  EBADF: 9,
  ECHILD: 10,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  EXDEV: 18,
  ENODEV: 19,
  ENOTDIR: 20,
  EISDIR: 21,
  EINVAL: 22,
  ENFILE: 23,
  EMFILE: 24,
  ENOTTY: 25,
  ETXTBSY: 26,
  EFBIG: 27,
  ENOSPC: 28,
  ESPIPE: 29,
  EROFS: 30,
  EMLINK: 31,
  EPIPE: 32,
  EDOM: 33,
  ERANGE: 34,
  EDEADLK: 35,
  ENAMETOOLONG: 36,
  ENOLCK: 37,
  ENOSYS: 38,
  ENOTEMPTY: 39,
  ELOOP: 40,
  ENODATA: 61,
  EOVERFLOW: 75,
  ENOTSOCK: 88,
  EOPNOTSUPP: 95,
  EAFNOSUPPORT: 97,
  ENOTCONN: 107,
  ETIMEDOUT: 110,
} as const;

export type Errno = (typeof Errno)[keyof typeof Errno];

const errnoNames = new Map<number, string>(Object.entries(Errno).map(([name, value]) => [value, name]));

/** "ENOENT" for 2, "E<n>" for numbers this table does not name. */
export function errnoName(errno: number): string {
  return errnoNames.get(errno) ?? `E${String(errno)}`;
}

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
