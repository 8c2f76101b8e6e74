import { describe, expect, it } from "vitest";
import {
  FifoScheduler, injectScheduler, policyViolationCount, RunQueue, Task, TaskState, WaitQueue, yieldNow, type Scheduler,
} from "../src/index.ts";
import { inKernel } from "./support/kernel.ts";

/** A policy that behaves until `misbehave` returns a task, then answers with that task. */
function scriptedScheduler(misbehave: () => Task | undefined): Scheduler {
  const fifo = new FifoScheduler();
  return {
    enqueue: (task, reason) => { fifo.enqueue(task); void reason; },
    pickNext: () => misbehave() ?? fifo.pickNext(),
    update: () => false,
  };
}

describe("tasks", () => {
  it("run one at a time and interleave only where they park", () =>
    inKernel(async () => {
      const trace: string[] = [];
      let inside = 0;
      const worker = (name: string) => async () => {
        for (let i = 0; i < 3; i++) {
          inside++;
          expect(inside).toBe(1);
          trace.push(`${name}${String(i)}`);
          inside--;
          await yieldNow();
        }
      };
      const a = Task.spawn(worker("a"));
      const b = Task.spawn(worker("b"));
      await a.join();
      await b.join();
      expect(trace).toEqual(["a0", "b0", "a1", "b1", "a2", "b2"]);
      expect(a.state).toBe(TaskState.Exited);
    }));

  it("report a failing body without taking the kernel down", () =>
    inKernel(async () => {
      const task = Task.spawn(() => Promise.reject(new Error("boom")), { name: "doomed" });
      await task.join();
      expect(task.failure).toBeInstanceOf(Error);
    }));
});

describe("a misbehaving scheduler", () => {
  it("cannot resume a sleeping task, and OSTD falls back to FIFO", () =>
    inKernel(async () => {
      const queue = new WaitQueue();
      let released = false;
      let passes = 0;
      const sleeper = Task.spawn(async () => {
        await queue.waitUntil(() => released);
        passes++;
      });
      await yieldNow();
      expect(sleeper.state).toBe(TaskState.Sleeping);
      const before = policyViolationCount();
      injectScheduler(scriptedScheduler(() => sleeper));
      await yieldNow();
      expect(policyViolationCount()).toBe(before + 1);
      expect(sleeper.state).toBe(TaskState.Sleeping);
      expect(passes).toBe(0);
      released = true;
      queue.wakeAll();
      await sleeper.join();
      expect(passes).toBe(1);
    }));

  it("cannot run a task twice by picking it again, nor an exited one", () =>
    inKernel(async () => {
      let runs = 0;
      const once = Task.spawn(() => {
        runs++;
        return Promise.resolve();
      });
      let picks = 0;
      injectScheduler(scriptedScheduler(() => (picks++ > 0 ? once : undefined)));
      const before = policyViolationCount();
      await once.join();
      await yieldNow();
      expect(runs).toBe(1);
      expect(once.state).toBe(TaskState.Exited);
      expect(policyViolationCount()).toBeGreaterThan(before);
      injectScheduler(new FifoScheduler());
    }));

  it("that loses tasks or throws is replaced by FIFO", () =>
    inKernel(async () => {
      const before = policyViolationCount();
      injectScheduler({ enqueue: () => undefined, pickNext: () => undefined, update: () => false });
      const lost = Task.spawn(() => Promise.resolve());
      await lost.join();
      injectScheduler({ enqueue: () => { throw new Error("policy bug"); }, pickNext: () => undefined, update: () => false });
      const again = Task.spawn(() => Promise.resolve());
      await again.join();
      expect(policyViolationCount()).toBeGreaterThanOrEqual(before + 2);
      injectScheduler(new FifoScheduler());
    }));
});

describe("RunQueue", () => {
  it("hands tasks out first in, first out, across its internal compaction", async () => {
    await inKernel(() => {
      const tasks = Array.from({ length: 200 }, () => Task.spawn(() => Promise.resolve()));
      const queue = new RunQueue();
      const out: Task[] = [];
      for (const [index, task] of tasks.entries()) {
        queue.push(task);
        if (index % 3 === 2) out.push(queue.shift() ?? task);
      }
      expect(queue.length).toBe(tasks.length - out.length);
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) out.push(next);
      expect(out).toEqual(tasks);
      expect(queue.length).toBe(0);
      return Promise.resolve();
    });
  });
});
