/**
 * Signal dispositions, masks and pending signals: the semantics of rt_sigaction,
 * rt_sigprocmask and kill, independent of how the frame reaches user space.
 *
 * `SignalActions` is per process (shared by its threads, copied by fork, reset by execve);
 * `SignalQueue` holds what is pending for a thread or process together with each signal's
 * siginfo (a standard signal is pending at most once; real-time signals queue);
 * `takeDeliverable` decides what the return-to-user path must do with the next signal.
 */

import { Errno, SyscallError } from "../errno.ts";
import { readU32, readU64, writeI64, writeU32 } from "../util/le-bytes.ts";
import {
  defaultActionOf,
  DefaultAction,
  FIRST_REALTIME_SIGNAL,
  isUncatchable,
  isValidSignal,
  SIGNAL_COUNT,
  Signal,
  SigSet,
} from "./signals.ts";

export const SIG_DFL = 0;
export const SIG_IGN = 1;

export const SaFlag = {
  NOCLDSTOP: 0x1,
  NOCLDWAIT: 0x2,
  SIGINFO: 0x4,
  RESTORER: 0x0400_0000,
  ONSTACK: 0x0800_0000,
  RESTART: 0x1000_0000,
  NODEFER: 0x4000_0000,
  RESETHAND: 0x8000_0000,
} as const;

/** `how` of rt_sigprocmask. */
export const MaskHow = { Block: 0, Unblock: 1, SetMask: 2 } as const;

/** The kernel's `struct sigaction` on x86-64: handler, flags, restorer, 8-byte mask. */
export const SIGACTION_SIZE = 32;
export const SIGSET_SIZE = 8;

export interface SigAction {
  /** SIG_DFL, SIG_IGN or the handler's user address. */
  readonly handler: number;
  readonly flags: number;
  readonly restorer: number;
  readonly mask: SigSet;
}

const DEFAULT_ACTION: SigAction = { handler: SIG_DFL, flags: 0, restorer: 0, mask: SigSet.EMPTY };

export function decodeSigAction(bytes: Uint8Array): SigAction {
  return {
    handler: readU64(bytes, 0),
    flags: readU32(bytes, 8),
    restorer: readU64(bytes, 16),
    mask: SigSet.decode(bytes, 24),
  };
}

export function encodeSigAction(action: SigAction): Uint8Array {
  const bytes = new Uint8Array(SIGACTION_SIZE);
  writeI64(bytes, 0, action.handler);
  writeU32(bytes, 8, action.flags);
  writeI64(bytes, 16, action.restorer);
  action.mask.encode(bytes, 24);
  return bytes;
}

function checkSignal(signal: number): void {
  if (!isValidSignal(signal)) throw new SyscallError(Errno.EINVAL, `signal ${String(signal)}`);
}

/** Whether a signal with this action is discarded rather than delivered. */
function isIgnored(signal: number, action: SigAction): boolean {
  if (action.handler === SIG_IGN) return true;
  return action.handler === SIG_DFL && defaultActionOf(signal) === DefaultAction.Ignore;
}

export class SignalActions {
  readonly #actions: SigAction[] = Array.from({ length: SIGNAL_COUNT + 1 }, () => DEFAULT_ACTION);

  get(signal: number): SigAction {
    checkSignal(signal);
    return this.#actions[signal] ?? DEFAULT_ACTION;
  }

  /** rt_sigaction: installs `action`, returns the previous one. */
  set(signal: number, action: SigAction): SigAction {
    checkSignal(signal);
    if (isUncatchable(signal)) throw new SyscallError(Errno.EINVAL, "SIGKILL and SIGSTOP cannot be caught or ignored");
    const previous = this.get(signal);
    this.#actions[signal] = { ...action, mask: action.mask.blockable() };
    return previous;
  }

  /** SA_RESETHAND: back to SIG_DFL once delivered. */
  resetToDefault(signal: number): void {
    checkSignal(signal);
    this.#actions[signal] = DEFAULT_ACTION;
  }

  isIgnored(signal: number): boolean {
    return isIgnored(signal, this.get(signal));
  }

  /** fork: the child inherits every disposition. */
  clone(): SignalActions {
    const copy = new SignalActions();
    for (let signal = 1; signal <= SIGNAL_COUNT; signal++) copy.#actions[signal] = this.get(signal);
    return copy;
  }

  /** execve: handlers are reset to SIG_DFL (the code is gone); ignored stays ignored. */
  resetForExec(): void {
    for (let signal = 1; signal <= SIGNAL_COUNT; signal++) {
      if (this.get(signal).handler !== SIG_IGN) this.#actions[signal] = DEFAULT_ACTION;
    }
  }
}

/** What siginfo says about a signal's origin (the fields the frame builder writes). */
export interface SigInfo {
  readonly signal: number;
  /** si_code: SI_USER 0, SI_KERNEL 0x80, SEGV_MAPERR 1, CLD_EXITED 1, ... */
  readonly code: number;
  readonly senderPid?: number;
  readonly senderUid?: number;
  /** Faulting address for SIGSEGV/SIGBUS/SIGILL/SIGFPE. */
  readonly address?: number;
  /** Exit status or signal for SIGCHLD. */
  readonly status?: number;
}

export const SiCode = { User: 0, Kernel: 0x80, Tkill: -6, SegvMapErr: 1, SegvAccErr: 2, CldExited: 1, CldKilled: 2, CldDumped: 3, CldStopped: 5, CldContinued: 6 } as const;

export class SignalQueue {
  #pending: SigSet = SigSet.EMPTY;
  readonly #infos = new Map<number, SigInfo[]>();

  get pending(): SigSet {
    return this.#pending;
  }

  /** Adds a signal; a standard signal already pending is not queued twice. */
  post(info: SigInfo): void {
    checkSignal(info.signal);
    const queued = this.#infos.get(info.signal) ?? [];
    if (queued.length > 0 && info.signal < FIRST_REALTIME_SIGNAL) return;
    queued.push(info);
    this.#infos.set(info.signal, queued);
    this.#pending = this.#pending.with(info.signal);
  }

  discard(signal: number): void {
    this.#infos.delete(signal);
    this.#pending = this.#pending.without(signal);
  }

  /** Removes and returns one instance of `signal`. */
  take(signal: number): SigInfo | undefined {
    const queued = this.#infos.get(signal);
    const info = queued?.shift();
    if (queued === undefined || queued.length === 0) this.discard(signal);
    return info;
  }
}

/**
 * Generation-time rules of kill(): an ignored signal is dropped unless blocked (it may be
 * unignored before the unblock), SIGCONT cancels pending stops and a stop cancels SIGCONT.
 */
export function postSignal(queue: SignalQueue, actions: SignalActions, blocked: SigSet, info: SigInfo): void {
  if (info.signal === Signal.SIGCONT) {
    for (const stop of [Signal.SIGSTOP, Signal.SIGTSTP, Signal.SIGTTIN, Signal.SIGTTOU]) queue.discard(stop);
  } else if (defaultActionOf(info.signal) === DefaultAction.Stop) {
    queue.discard(Signal.SIGCONT);
  }
  if (actions.isIgnored(info.signal) && !blocked.has(info.signal)) return;
  queue.post(info);
}

/** rt_sigprocmask: the new mask from the old one; SIGKILL and SIGSTOP are silently kept out. */
export function applyMask(current: SigSet, how: number, set: SigSet): SigSet {
  switch (how) {
    case MaskHow.Block:
      return current.union(set).blockable();
    case MaskHow.Unblock:
      return current.minus(set);
    case MaskHow.SetMask:
      return set.blockable();
    default:
      throw new SyscallError(Errno.EINVAL, `sigprocmask how ${String(how)}`);
  }
}

export type Delivery =
  | { readonly kind: "handler"; readonly info: SigInfo; readonly action: SigAction }
  | { readonly kind: "default"; readonly info: SigInfo; readonly action: Exclude<DefaultAction, "ignore"> };

/**
 * Takes the next deliverable signal (lowest number, not blocked, thread queue before
 * process queue) and says what to do; ignored signals are consumed silently. For a handler,
 * the caller builds the frame and then calls `maskDuringHandler` and, for SA_RESETHAND,
 * `actions.resetToDefault`.
 */
export function takeDeliverable(queues: readonly SignalQueue[], actions: SignalActions, blocked: SigSet): Delivery | undefined {
  for (;;) {
    const queue = queues.find((candidate) => !candidate.pending.minus(blocked).isEmpty);
    if (queue === undefined) return undefined;
    const signal = queue.pending.minus(blocked).lowest();
    const info = queue.take(signal) ?? { signal, code: SiCode.Kernel };
    const action = actions.get(signal);
    if (action.handler === SIG_IGN) continue;
    if (action.handler !== SIG_DFL) return { kind: "handler", info, action };
    const fallback = defaultActionOf(signal);
    if (fallback === DefaultAction.Ignore) continue;
    return { kind: "default", info, action: fallback };
  }
}

/** The mask while a handler runs: its sa_mask plus the signal itself unless SA_NODEFER. */
export function maskDuringHandler(blocked: SigSet, signal: number, action: SigAction): SigSet {
  const added = (action.flags & SaFlag.NODEFER) !== 0 ? action.mask : action.mask.with(signal);
  return blocked.union(added).blockable();
}
