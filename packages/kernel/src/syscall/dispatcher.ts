/**
 * The syscall dispatcher: number -> handler, and the single place where failures become
 * `-errno` in RAX.
 *
 * Handlers return their non-negative result (synchronously on the fast path, or as a promise
 * when they block) or throw an error that carries an errno: the kernel's `SyscallError`, or
 * svc-fs's `FsError`, recognised by its numeric `errno` field so this module needs no import
 * of the file systems. An unknown number returns ENOSYS and is logged once per number, which
 * is how missing calls show up while bringing up a new program. Anything else a handler
 * throws is a kernel bug: it is logged with the syscall name and the call fails with EIO
 * instead of taking the kernel down.
 */

import { Errno } from "../errno.ts";
import type { SyscallArgs } from "./args.ts";
import { syscallName } from "./numbers.ts";

/**
 * What a handler returns when it has set every register itself (rt_sigreturn restores RAX
 * from the signal frame; execve starts a new program): the dispatcher leaves RAX alone.
 */
export const REGISTERS_REPLACED: unique symbol = Symbol("registers replaced");

export type SyscallResult = number | typeof REGISTERS_REPLACED;

export type SyscallHandler<Caller> = (caller: Caller, args: SyscallArgs) => SyscallResult | Promise<SyscallResult>;

const MAX_ERRNO = 4095;

/** The errno an error carries, or undefined if it is not a syscall failure. */
export function errnoOf(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null || !("errno" in error)) return undefined;
  const { errno } = error;
  if (typeof errno !== "number" || !Number.isInteger(errno) || errno < 1 || errno > MAX_ERRNO) return undefined;
  return errno;
}

export class SyscallTable<Caller> {
  readonly #handlers = new Map<number, SyscallHandler<Caller>>();
  readonly #reportedUnknown = new Set<number>();
  readonly #log: (message: string) => void;
  #tracer: ((caller: Caller, number: number, args: SyscallArgs, result: SyscallResult) => void) | undefined;

  constructor(log: (message: string) => void) {
    this.#log = log;
  }

  /** Calls `tracer` after every syscall (the kernel's strace, enabled by the `strace` boot option). */
  trace(tracer: (caller: Caller, number: number, args: SyscallArgs, result: SyscallResult) => void): void {
    this.#tracer = tracer;
  }

  register(number: number, handler: SyscallHandler<Caller>): void {
    if (this.#handlers.has(number)) throw new Error(`syscall ${syscallName(number)} registered twice`);
    this.#handlers.set(number, handler);
  }

  has(number: number): boolean {
    return this.#handlers.has(number);
  }

  /**
   * Runs syscall `number` for `caller`. The result is what goes to RAX: the handler's value,
   * `-errno`, or `REGISTERS_REPLACED`. It is not a promise when the handler completed
   * synchronously, so the null-syscall path costs no microtask.
   */
  dispatch(caller: Caller, number: number, args: SyscallArgs): SyscallResult | Promise<SyscallResult> {
    const tracer = this.#tracer;
    if (tracer === undefined) return this.#dispatch(caller, number, args);
    const outcome = this.#dispatch(caller, number, args);
    if (!(outcome instanceof Promise)) {
      tracer(caller, number, args, outcome);
      return outcome;
    }
    return outcome.then((result) => {
      tracer(caller, number, args, result);
      return result;
    });
  }

  #dispatch(caller: Caller, number: number, args: SyscallArgs): SyscallResult | Promise<SyscallResult> {
    const handler = this.#handlers.get(number);
    if (handler === undefined) return this.#unknown(number);
    let outcome: SyscallResult | Promise<SyscallResult>;
    try {
      outcome = handler(caller, args);
    } catch (error) {
      return this.#failure(number, error);
    }
    if (!(outcome instanceof Promise)) return outcome;
    return outcome.then(
      (value) => value,
      (error: unknown) => this.#failure(number, error),
    );
  }

  #unknown(number: number): number {
    if (!this.#reportedUnknown.has(number)) {
      this.#reportedUnknown.add(number);
      this.#log(`unimplemented syscall ${syscallName(number)} (${String(number)}): returning ENOSYS`);
    }
    return -Errno.ENOSYS;
  }

  #failure(number: number, error: unknown): number {
    const errno = errnoOf(error);
    if (errno !== undefined) return -errno;
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    this.#log(`kernel bug in syscall ${syscallName(number)}: ${detail}`);
    return -Errno.EIO;
  }
}
