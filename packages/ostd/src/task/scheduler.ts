/**
 * The scheduler interface that policies implement, and OSTD's FIFO fallback.
 *
 * A policy (such as svc-sched's round-robin) only orders runnable tasks; it never runs
 * them. OSTD keeps its own record of which tasks are runnable and checks every pick
 * against it (see `task.ts`), so a buggy or malicious policy can starve tasks but cannot
 * make a task run twice at once, resume a sleeping task, or run an exited one. When a
 * policy breaks the contract, OSTD logs the violation and falls back to FIFO order.
 */
import { RunQueue } from "./run-queue.ts";
import type { Task } from "./task.ts";

/** Why a task entered the run queue. */
export const EnqueueReason = {
  Spawned: "spawned",
  Woken: "woken",
  Yielded: "yielded",
  Preempted: "preempted",
} as const;
export type EnqueueReason = (typeof EnqueueReason)[keyof typeof EnqueueReason];

/** What happened to the current task. */
export const SchedEvent = {
  /** A timer tick while it was running. */
  Tick: "tick",
  /** It is about to block. */
  Wait: "wait",
  /** It gives up the CPU voluntarily. */
  Yield: "yield",
  /** It has finished. */
  Exit: "exit",
} as const;
export type SchedEvent = (typeof SchedEvent)[keyof typeof SchedEvent];

/** A scheduling policy for one CPU. */
export interface Scheduler {
  /** `task` became runnable. */
  enqueue(task: Task, reason: EnqueueReason): void;
  /** Removes and returns the task to run next, or undefined when the policy has none. */
  pickNext(): Task | undefined;
  /**
   * Tells the policy what happened to the running task. For `Tick` the answer says whether
   * the task should be preempted now; for the other events it is ignored.
   */
  update(current: Task, event: SchedEvent): boolean;
}

/**
 * First in, first out, and a tick preempts the running task only when another one waits, so
 * even user code that never yields cannot starve the rest. OSTD's built-in policy and
 * fallback.
 */
export class FifoScheduler implements Scheduler {
  readonly #queue = new RunQueue();

  enqueue(task: Task): void {
    this.#queue.push(task);
  }

  pickNext(): Task | undefined {
    return this.#queue.shift();
  }

  update(_current: Task, event: SchedEvent): boolean {
    return event === SchedEvent.Tick && this.#queue.length > 0;
  }
}
