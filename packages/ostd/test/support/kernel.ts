/**
 * Boots OSTD once per test file on a fake machine and runs test bodies inside kernel tasks.
 * The kernel's main task serves a queue of jobs; `inKernel(fn)` submits one and resolves
 * with its result (or rejects with its error).
 */
import { startKernel, Task, WaitQueue } from "../../src/index.ts";
import { createFakeMachine, type FakeMachine } from "./fake-arch.ts";

interface Job {
  readonly body: () => Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

const jobs: Job[] = [];
const jobArrived = new WaitQueue();
let machine: FakeMachine | undefined;

export function fakeMachine(): FakeMachine {
  if (machine === undefined) {
    machine = createFakeMachine();
    const booted = machine;
    void startKernel(booted.arch, async () => {
      for (;;) {
        const job = await jobArrived.waitUntil(() => jobs.shift());
        if (job === undefined) continue;
        const task = Task.spawn(async () => {
          job.resolve(await job.body());
        }, { name: "test job" });
        await task.join();
        if (task.failure !== undefined) job.reject(task.failure);
      }
    });
  }
  return machine;
}

/** Runs `body` as a kernel task and resolves with what it returns. */
export function inKernel<T>(body: () => Promise<T> | T): Promise<T> {
  fakeMachine();
  return new Promise<T>((resolve, reject) => {
    jobs.push({ body: async () => body(), resolve: (value) => { resolve(value as T); }, reject });
    jobArrived.wakeAll();
  });
}
