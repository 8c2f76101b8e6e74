/**
 * How HLT sleeps without spinning: `sleep` parks the board on a host timer for the time
 * until the next board deadline, and any host event that can raise an interrupt (terminal
 * input, a network packet) calls `signal` to end the sleep early. Between the two the host
 * event loop is idle, so an idle guest costs no host CPU.
 */

export class HostWakeup {
  private wake: (() => void) | undefined;

  /** Resolves after `milliseconds` (Infinity: only on `signal`) or at the next `signal`. */
  sleep(milliseconds: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = Number.isFinite(milliseconds) ? setTimeout(done, Math.max(0, milliseconds)) : undefined;
      this.wake = done;
    });
  }

  signal(): void {
    this.wake?.();
  }
}
