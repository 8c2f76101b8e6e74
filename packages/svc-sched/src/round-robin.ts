/**
 * Preemptive round-robin: the default scheduling policy, injected into OSTD at boot.
 *
 * Runnable tasks wait in one FIFO queue; the running task gets a time slice of
 * `sliceTicks` timer ticks and is preempted when it has used them up and someone else is
 * waiting. A task that blocks or yields starts a fresh slice when it next runs. This is
 * service code: it sees tasks only as opaque handles and cannot run one itself; OSTD
 * checks every pick.
 */
import { EnqueueReason, RunQueue, SchedEvent, type Scheduler, type Task } from "@asterism/ostd";

/** Ticks per slice at OSTD's 100 Hz tick: 3 ticks = 30 ms, close to Linux's CFS latency target. */
export const DEFAULT_SLICE_TICKS = 3;

export interface RoundRobinOptions {
  readonly sliceTicks?: number;
}

export class RoundRobinScheduler implements Scheduler {
  readonly #sliceTicks: number;
  readonly #queue = new RunQueue();
  readonly #used = new WeakMap<Task, number>();

  constructor(options: RoundRobinOptions = {}) {
    const slice = options.sliceTicks ?? DEFAULT_SLICE_TICKS;
    if (!Number.isInteger(slice) || slice < 1) throw new RangeError(`time slice must be at least one tick, got ${String(slice)}`);
    this.#sliceTicks = slice;
  }

  /** Number of tasks waiting to run. */
  get length(): number {
    return this.#queue.length;
  }

  enqueue(task: Task, reason: EnqueueReason): void {
    if (reason !== EnqueueReason.Preempted) this.#used.set(task, 0);
    this.#queue.push(task);
  }

  pickNext(): Task | undefined {
    return this.#queue.shift();
  }

  update(current: Task, event: SchedEvent): boolean {
    if (event !== SchedEvent.Tick) {
      this.#used.delete(current);
      return false;
    }
    const used = (this.#used.get(current) ?? 0) + 1;
    if (used >= this.#sliceTicks && this.length > 0) {
      this.#used.set(current, 0);
      return true;
    }
    this.#used.set(current, used);
    return false;
  }
}
