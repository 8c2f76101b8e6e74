/**
 * WaitQueue: the one blocking primitive every other one is built on.
 *
 * Checking a condition and joining the queue happen in the same synchronous step (there is
 * one CPU and tasks switch only when they park), so no wake-up can be lost in between.
 * Wakers may be tasks, timer callbacks or interrupt bottom halves.
 */
import { SchedEvent } from "../task/scheduler.ts";
import { parkCurrent, Task, wakeTask } from "../task/task.ts";
import { Timer } from "../timer/timer.ts";

export class WaitQueue {
  readonly #waiters: Task[] = [];

  /** Number of tasks waiting. */
  get length(): number {
    return this.#waiters.length;
  }

  /**
   * Parks the current task until `condition` returns something other than undefined or
   * false, and returns that. With `timeoutNs`, gives up after that long and returns undefined.
   */
  async waitUntil<T>(condition: () => T | undefined | false, timeoutNs?: number): Promise<T | undefined> {
    const deadline = timeoutNs === undefined ? undefined : Timer.now() + timeoutNs;
    for (;;) {
      const value = condition();
      if (value !== undefined && value !== false) return value;
      if (deadline !== undefined && Timer.now() >= deadline) return undefined;
      await this.#waitOnce(deadline);
    }
  }

  /** Parks the current task until the next wake-up (or the timeout). */
  async wait(timeoutNs?: number): Promise<void> {
    await this.#waitOnce(timeoutNs === undefined ? undefined : Timer.now() + timeoutNs);
  }

  async #waitOnce(deadline: number | undefined): Promise<void> {
    const task = Task.current();
    this.#waiters.push(task);
    const timer = deadline === undefined ? undefined : Timer.at(deadline, () => {
      this.#remove(task);
      wakeTask(task);
    });
    await parkCurrent(SchedEvent.Wait);
    timer?.cancel();
    this.#remove(task);
  }

  /** Wakes the longest waiter; false if none was waiting. */
  wakeOne(): boolean {
    for (;;) {
      const task = this.#waiters.shift();
      if (task === undefined) return false;
      if (wakeTask(task)) return true;
    }
  }

  /** Wakes every waiter; returns how many. */
  wakeAll(): number {
    let woken = 0;
    for (const task of this.#waiters.splice(0)) if (wakeTask(task)) woken++;
    return woken;
  }

  #remove(task: Task): void {
    const index = this.#waiters.indexOf(task);
    if (index >= 0) this.#waiters.splice(index, 1);
  }
}
