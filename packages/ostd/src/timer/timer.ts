/**
 * Clocks and timer callbacks, driven by the arch port's periodic tick.
 *
 * Time comes from the board's clock (host time, or the instruction count in deterministic
 * mode); services never see a host clock. Timer callbacks run in the executor between
 * tasks, not inside a task: they may wake tasks, but must not block. Resolution is one
 * tick (`TICK_HZ`).
 */
import { arch } from "../boot/machine-state.ts";
import { ErrorCode, OstdError } from "../error.ts";
import { log, LogLevel } from "../log/logger.ts";

export const TICK_HZ = 100;

interface PendingTimer {
  readonly deadline: number;
  readonly callback: () => void;
  cancelled: boolean;
}

/** Sorted by deadline; timers are few, so insertion into an array is fine. */
const pending: PendingTimer[] = [];
let ticks = 0;

/** A scheduled callback; `cancel()` stops it if it has not run. */
export class Timer {
  readonly #entry: PendingTimer;

  private constructor(entry: PendingTimer) {
    this.#entry = entry;
  }

  /** Monotonic nanoseconds since the board powered on. */
  static now(): number {
    return arch().clock.monotonicNs();
  }

  /** Nanoseconds since the Unix epoch (wall clock). */
  static realtime(): number {
    return arch().clock.realtimeNs();
  }

  /** Timer ticks since boot. */
  static get ticks(): number {
    return ticks;
  }

  /** Runs `callback` once, `delayNs` from now. */
  static after(delayNs: number, callback: () => void): Timer {
    if (!Number.isFinite(delayNs) || delayNs < 0) throw new OstdError(ErrorCode.InvalidArgs, "bad timer delay");
    return Timer.at(Timer.now() + delayNs, callback);
  }

  /** Runs `callback` once at monotonic time `deadline`. */
  static at(deadline: number, callback: () => void): Timer {
    const entry: PendingTimer = { deadline, callback, cancelled: false };
    let index = pending.length;
    while (index > 0 && (pending[index - 1]?.deadline ?? 0) > deadline) index--;
    pending.splice(index, 0, entry);
    return new Timer(entry);
  }

  cancel(): void {
    this.#entry.cancelled = true;
  }
}

/** Counts a tick and runs every timer whose deadline has passed (executor-internal). */
export function runExpiredTimers(tick: boolean): void {
  if (tick) ticks++;
  if (pending.length === 0) return;
  const now = Timer.now();
  while (pending.length > 0 && (pending[0]?.deadline ?? Infinity) <= now) {
    const entry = pending.shift();
    if (entry === undefined || entry.cancelled) continue;
    try {
      entry.callback();
    } catch (error) {
      log(LogLevel.Error, `timer callback failed: ${String(error)}`);
    }
  }
}
