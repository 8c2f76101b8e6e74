/**
 * Errors and result values of the framework.
 *
 * OSTD reports an expected failure (a bad user pointer, an exhausted allocator, a refused
 * I/O range) as a value the caller must look at, so a service cannot forget that user
 * memory may fault. Broken invariants that only a bug can cause (a misbehaving injected
 * allocator, a forged frame handle) are thrown as `OstdError` too, with a code that names
 * the invariant, so tests can assert exactly which defence fired.
 */

export const ErrorCode = {
  /** A user address is unmapped or lacks the needed permission (the kernel answers EFAULT). */
  PageFault: "PageFault",
  /** No physical memory (or no IRQ vector) is left. */
  NoMemory: "NoMemory",
  /** An argument is malformed: misaligned, out of range, zero-sized. */
  InvalidArgs: "InvalidArgs",
  /** The resource exists but this caller may not have it (sensitive range, typed frame). */
  AccessDenied: "AccessDenied",
  /** The resource is already taken (an IRQ pin, a mapped address). */
  Busy: "Busy",
  /** An injected policy (allocator, scheduler) broke the contract; OSTD refused its answer. */
  PolicyViolation: "PolicyViolation",
  /** Called before the framework booted, or a one-time setup called twice. */
  BadState: "BadState",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class OstdError extends Error {
  readonly code: ErrorCode;
  /** For `PageFault`: the first address that could not be accessed. */
  readonly address: number | undefined;

  constructor(code: ErrorCode, message: string, address?: number) {
    super(`${code}: ${message}`);
    this.name = "OstdError";
    this.code = code;
    this.address = address;
  }
}

/** The outcome of an operation that can fail for reasons outside the caller's control. */
export type Result<T, E = OstdError> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: E };

export function ok<T>(value: T): Result<T, never> {
  return { ok: true, value };
}

export function err<E = OstdError>(error: E): Result<never, E> {
  return { ok: false, error };
}

/** Shorthand for a failed result with a fresh `OstdError`. */
export function fail(code: ErrorCode, message: string, address?: number): Result<never> {
  return { ok: false, error: new OstdError(code, message, address) };
}

/** Returns the value of a successful result or throws its error (for callers that cannot recover). */
export function unwrap<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  throw result.error;
}
