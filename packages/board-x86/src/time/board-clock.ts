/**
 * The board's notion of time, from which the TSC, the APIC timer and the RTC all derive.
 *
 * Two modes, chosen when the board is created:
 * - host: monotonic time follows the host's monotonic clock from power-on, wall time
 *   follows the host's wall clock (interactive use);
 * - deterministic: monotonic time is the number of retired user instructions times
 *   `NS_PER_INSTRUCTION` (a 1 GHz CPU retiring one instruction per cycle), plus the time
 *   skipped by HLT jumping to the next timer deadline; wall time starts at a fixed epoch.
 *   The same image with the same input then sees exactly the same times and produces the
 *   same output.
 */

import type { Clock } from "../machine.ts";

export const NS_PER_INSTRUCTION = 1;
/** Default wall-clock start of a deterministic board: 2026-01-01T00:00:00Z. */
export const DETERMINISTIC_EPOCH_NS = 1_767_225_600_000_000_000;

export interface ClockOptions {
  readonly deterministic: boolean;
  /** Retired instructions so far (deterministic mode's time source). */
  readonly instructionsRetired: () => number;
  /** Wall-clock time at power-on in deterministic mode (ns since the Unix epoch). */
  readonly epochNs?: number;
}

export class BoardClock implements Clock {
  readonly deterministic: boolean;
  private readonly instructionsRetired: () => number;
  private readonly startMs: number;
  private readonly epochNs: number;
  private skippedNs = 0;
  private lastNs = 0;

  constructor(options: ClockOptions) {
    this.deterministic = options.deterministic;
    this.instructionsRetired = options.instructionsRetired;
    this.startMs = performance.now();
    this.epochNs = options.deterministic ? (options.epochNs ?? DETERMINISTIC_EPOCH_NS) : Date.now() * 1e6;
  }

  monotonicNs(): number {
    const now = this.deterministic
      ? this.instructionsRetired() * NS_PER_INSTRUCTION + this.skippedNs
      : Math.floor((performance.now() - this.startMs) * 1e6);
    // Never go backwards, whatever the host clock does.
    if (now > this.lastNs) this.lastNs = now;
    return this.lastNs;
  }

  realtimeNs(): number {
    return this.epochNs + this.monotonicNs();
  }

  /** Deterministic mode: HLT with nothing to do jumps the clock forward to `targetNs`. */
  skipTo(targetNs: number): void {
    const now = this.monotonicNs();
    if (this.deterministic && targetNs > now) this.skippedNs += targetNs - now;
  }
}
