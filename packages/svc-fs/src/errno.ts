/**
 * Linux error numbers (the one table of them in Asterism: the kernel's syscall layer uses it
 * too) and the one exception type the file systems use.
 *
 * Error style (the whole package follows it): every failing operation, sync or async, throws an
 * `FsError` carrying a Linux errno. The kernel's syscall layer catches `FsError` in one place
 * and returns `-error.errno` to user space; anything else escaping a file-system call is a bug.
 */

/** Linux errno values (x86-64 numbering, asm-generic). */
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

export type ErrnoValue = (typeof Errno)[keyof typeof Errno];

const errnoNames = new Map<number, string>(Object.entries(Errno).map(([name, value]) => [value, name]));

/** The symbolic name of an errno value ("ENOENT"), or "E<number>" when unknown. */
export function errnoName(errno: number): string {
  return errnoNames.get(errno) ?? `E${String(errno)}`;
}

/** A file-system failure that maps 1:1 onto a Linux errno. */
export class FsError extends Error {
  readonly errno: ErrnoValue;

  constructor(errno: ErrnoValue, detail?: string) {
    const name = errnoName(errno);
    super(detail === undefined ? name : `${name}: ${detail}`);
    this.name = "FsError";
    this.errno = errno;
  }
}

/** Shorthand used at every failure site: `throw fsError(Errno.ENOENT, path)`. */
export function fsError(errno: ErrnoValue, detail?: string): FsError {
  return new FsError(errno, detail);
}
