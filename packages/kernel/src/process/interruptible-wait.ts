/**
 * Blocking that a signal can interrupt.
 *
 * OSTD's `WaitQueue` parks a task until a condition holds, but a signal sent to a process
 * must also wake it wherever it sleeps (a pipe, a tty, wait4, nanosleep). Every blocking
 * point in the kernel therefore waits through a `SignalAwareQueue`, which records on the
 * sleeping process which queue it is in; `Process.wakeForSignal` wakes exactly that queue
 * and the waiter's condition sees the pending signal. The queue also satisfies the pipe's
 * `WaitChannel` interface.
 */

import { Task, WaitQueue } from "@asterism/ostd";

/** What a sleeping thread exposes so a signal can wake it. */
export interface Sleeper {
  sleepingOn: SignalAwareQueue | undefined;
}

/** The sleeper of the current task, if the task runs a user thread. */
export type SleeperOfTask = (task: Task) => Sleeper | undefined;

let sleeperOf: SleeperOfTask = () => undefined;

/** Tells the waits how to find the current task's thread (set once by the kernel). */
export function setSleeperLookup(lookup: SleeperOfTask): void {
  sleeperOf = lookup;
}

export class SignalAwareQueue {
  readonly #queue = new WaitQueue();

  /** Parks until `condition` yields a value (or the timeout passes: undefined). */
  async waitUntil<T>(condition: () => T | undefined | false, timeoutNs?: number): Promise<T | undefined> {
    const task = Task.currentOrUndefined();
    const sleeper = task === undefined ? undefined : sleeperOf(task);
    if (sleeper !== undefined) sleeper.sleepingOn = this;
    try {
      return await this.#queue.waitUntil(condition, timeoutNs);
    } finally {
      if (sleeper !== undefined) sleeper.sleepingOn = undefined;
    }
  }

  wakeAll(): number {
    return this.#queue.wakeAll();
  }
}
