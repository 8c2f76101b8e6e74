/**
 * Tasks and the executor that runs them on the (single) CPU.
 *
 * A task is an async function. Its "kernel stack" is the chain of pending promises, so the
 * kernel needs no stack allocator, and stack overflows are JavaScript errors, not memory
 * corruption. At most one task runs at a time: the executor resumes one task and waits until
 * it parks (waits, yields, is preempted in user mode) or exits. Tasks must block only
 * through OSTD primitives (WaitQueue, Mutex, RwLock, sleep, join), which park properly.
 *
 * The scheduling policy is injected and untrusted. OSTD keeps its own set of runnable
 * tasks; a pick that is not in that set (a running, sleeping, exited or duplicated task) is
 * refused, logged as a policy violation, and the executor falls back to FIFO order.
 */
import { ErrorCode, OstdError } from "../error.ts";
import { log, logViolation, LogLevel } from "../log/logger.ts";
import { EnqueueReason, FifoScheduler, SchedEvent, type Scheduler } from "./scheduler.ts";

export const TaskState = {
  Runnable: "runnable",
  Running: "running",
  Sleeping: "sleeping",
  Exited: "exited",
} as const;
export type TaskState = (typeof TaskState)[keyof typeof TaskState];

export interface TaskOptions {
  readonly name?: string;
  /** Anything the spawner wants to attach (the kernel's thread object, for example). */
  readonly data?: unknown;
}

let nextTaskId = 1;
let current: Task | undefined;
let policy: Scheduler = new FifoScheduler();
/** OSTD's own truth: tasks that are runnable and not running, in the order they became so. */
const runnable = new Set<Task>();
let rescheduleRequested = false;
let switchedOut: (() => void) | undefined;
let stopped = false;

let startOrResume: (task: Task) => void;
let setState: (task: Task, state: TaskState) => void;
let parkAndWait: (task: Task) => Promise<void>;

export class Task {
  readonly id: number;
  readonly name: string;
  readonly data: unknown;
  #state: TaskState = TaskState.Runnable;
  readonly #body: () => Promise<void>;
  #started = false;
  #resume: (() => void) | undefined;
  #failure: unknown;
  readonly #joiners: Task[] = [];

  private constructor(body: () => Promise<void>, options: TaskOptions) {
    this.id = nextTaskId++;
    this.name = options.name ?? `task-${String(this.id)}`;
    this.data = options.data;
    this.#body = body;
  }

  /** Creates a task running `body` and makes it runnable. */
  static spawn(body: () => Promise<void>, options: TaskOptions = {}): Task {
    const task = new Task(body, options);
    makeRunnable(task, EnqueueReason.Spawned);
    return task;
  }

  /** The running task; throws outside any task (in interrupt handlers, for example). */
  static current(): Task {
    if (current === undefined) throw new OstdError(ErrorCode.BadState, "no task is running");
    return current;
  }

  static currentOrUndefined(): Task | undefined {
    return current;
  }

  get state(): TaskState {
    return this.#state;
  }

  /** What the body threw, if it failed. */
  get failure(): unknown {
    return this.#failure;
  }

  /** Waits (parking the calling task) until this task has exited. */
  async join(): Promise<void> {
    while (this.#state !== TaskState.Exited) {
      const waiter = Task.current();
      this.#joiners.push(waiter);
      await parkCurrent(SchedEvent.Wait);
    }
  }

  static {
    startOrResume = (task) => {
      if (task.#started) {
        const resume = task.#resume;
        task.#resume = undefined;
        resume?.();
        return;
      }
      task.#started = true;
      void task.#run();
    };
    setState = (task, state) => {
      task.#state = state;
    };
    parkAndWait = (task) =>
      new Promise<void>((resolve) => {
        task.#resume = resolve;
      });
  }

  async #run(): Promise<void> {
    try {
      await this.#body();
    } catch (error) {
      this.#failure = error;
      log(LogLevel.Error, `task ${this.name} failed: ${describeError(error)}`);
    }
    callPolicy((scheduler) => scheduler.update(this, SchedEvent.Exit));
    this.#state = TaskState.Exited;
    for (const joiner of this.#joiners.splice(0)) wakeTask(joiner);
    if (current === this) current = undefined;
    signalSwitchedOut();
  }
}

function describeError(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

function signalSwitchedOut(): void {
  const signal = switchedOut;
  switchedOut = undefined;
  signal?.();
}

function makeRunnable(task: Task, reason: EnqueueReason): void {
  setState(task, TaskState.Runnable);
  runnable.add(task);
  callPolicy((scheduler) => {
    scheduler.enqueue(task, reason);
  });
}

/** Calls into the policy; a policy that throws is replaced by FIFO. */
function callPolicy<T>(call: (scheduler: Scheduler) => T): T | undefined {
  try {
    return call(policy);
  } catch (error) {
    fallBackToFifo(`the scheduler threw: ${describeError(error)}`);
    return undefined;
  }
}

function fallBackToFifo(reason: string): void {
  logViolation(`${reason}; falling back to FIFO scheduling`);
  policy = new FifoScheduler();
  for (const task of runnable) policy.enqueue(task, EnqueueReason.Spawned);
}

/** Replaces the scheduling policy; every runnable task is handed to the new one. */
export function injectScheduler(scheduler: Scheduler): void {
  policy = scheduler;
  for (const task of runnable) callPolicy((s) => { s.enqueue(task, EnqueueReason.Spawned); });
}

/** Makes a sleeping task runnable; does nothing for running, runnable or exited tasks. */
export function wakeTask(task: Task): boolean {
  if (task.state !== TaskState.Sleeping) return false;
  makeRunnable(task, EnqueueReason.Woken);
  return true;
}

/**
 * Parks the current task. With `Wait` it sleeps until `wakeTask`; with `Yield` (or a
 * preemption) it goes back to the run queue.
 */
export async function parkCurrent(event: SchedEvent | "preempt"): Promise<void> {
  const task = Task.current();
  if (event === "preempt") {
    makeRunnable(task, EnqueueReason.Preempted);
  } else {
    callPolicy((scheduler) => scheduler.update(task, event));
    if (event === SchedEvent.Wait) setState(task, TaskState.Sleeping);
    else makeRunnable(task, EnqueueReason.Yielded);
  }
  current = undefined;
  const resumed = parkAndWait(task);
  signalSwitchedOut();
  await resumed;
}

/** Gives the CPU to another runnable task, if there is one. */
export async function yieldNow(): Promise<void> {
  await parkCurrent(SchedEvent.Yield);
}

/** Called on every timer tick: asks the policy whether the running task's time is up. */
export function schedulerTick(): void {
  const task = current;
  if (task !== undefined && callPolicy((scheduler) => scheduler.update(task, SchedEvent.Tick)) === true) {
    rescheduleRequested = true;
  }
}

/** Whether the policy asked for the running task to be preempted. */
export function shouldReschedule(): boolean {
  return rescheduleRequested;
}

/** Yields if the policy asked for it (a preemption point for long kernel loops and user mode). */
export async function preemptionPoint(): Promise<void> {
  if (rescheduleRequested && current !== undefined) await parkCurrent("preempt");
}

/** The next task to run, validated against OSTD's runnable set. */
function pickNext(): Task | undefined {
  if (runnable.size === 0) return undefined;
  const picked = callPolicy((scheduler) => scheduler.pickNext());
  if (picked !== undefined && runnable.has(picked)) {
    runnable.delete(picked);
    return picked;
  }
  const what = picked === undefined ? "nothing although tasks are runnable" : `task ${picked.name} (${picked.state}), which is not runnable`;
  fallBackToFifo(`the scheduler picked ${what}`);
  return pickNext();
}

function dispatch(task: Task): Promise<void> {
  current = task;
  rescheduleRequested = false;
  setState(task, TaskState.Running);
  return new Promise<void>((resolve) => {
    switchedOut = resolve;
    startOrResume(task);
  });
}

/** What the executor needs from the rest of OSTD. */
export interface ExecutorHooks {
  /** Handles pending interrupts and runs bottom halves. */
  service(): void;
  /** Waits for the next interrupt when nothing is runnable. */
  idle(): Promise<void>;
}

/** Runs tasks until `stopExecutor` is called. */
export async function runExecutor(hooks: ExecutorHooks): Promise<void> {
  while (!stopped) {
    hooks.service();
    if (isStopped()) break;
    const next = pickNext();
    if (next === undefined) await hooks.idle();
    else await dispatch(next);
  }
}

function isStopped(): boolean {
  return stopped;
}

/** Ends the executor loop (power-off); the running task is never resumed after it parks. */
export function stopExecutor(): void {
  stopped = true;
  signalSwitchedOut();
}
