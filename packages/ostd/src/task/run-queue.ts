/**
 * A first-in, first-out queue of runnable tasks for scheduling policies. Array `shift` is
 * O(n), and a run queue is popped on every switch, so the queue keeps a head index and
 * compacts the array only once the consumed prefix outweighs what is left.
 */
import type { Task } from "./task.ts";

/** Consumed entries tolerated before compaction is considered. */
const COMPACT_AFTER = 64;

export class RunQueue {
  readonly #tasks: Task[] = [];
  #head = 0;

  /** Number of tasks waiting. */
  get length(): number {
    return this.#tasks.length - this.#head;
  }

  push(task: Task): void {
    this.#tasks.push(task);
  }

  /** Removes and returns the task that has waited longest, or undefined when empty. */
  shift(): Task | undefined {
    const task = this.#tasks[this.#head];
    if (task === undefined) return undefined;
    this.#head++;
    if (this.#head > COMPACT_AFTER && this.#head * 2 > this.#tasks.length) {
      this.#tasks.splice(0, this.#head);
      this.#head = 0;
    }
    return task;
  }
}
