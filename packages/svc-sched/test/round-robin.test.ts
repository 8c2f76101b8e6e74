import { describe, expect, it } from "vitest";
import { EnqueueReason, SchedEvent, Task } from "@asterism/ostd";
import { RoundRobinScheduler } from "../src/index.ts";

const idle = (): Promise<void> => Promise.resolve();

describe("RoundRobinScheduler", () => {
  it("picks tasks in the order they became runnable", () => {
    const scheduler = new RoundRobinScheduler();
    const [a, b, c] = [Task.spawn(idle), Task.spawn(idle), Task.spawn(idle)];
    for (const task of [a, b, c]) scheduler.enqueue(task, EnqueueReason.Spawned);
    expect([scheduler.pickNext(), scheduler.pickNext(), scheduler.pickNext(), scheduler.pickNext()]).toEqual([a, b, c, undefined]);
  });

  it("preempts the running task only after its slice is used and another task waits", () => {
    const scheduler = new RoundRobinScheduler({ sliceTicks: 2 });
    const [running, waiting] = [Task.spawn(idle), Task.spawn(idle)];
    scheduler.enqueue(running, EnqueueReason.Spawned);
    expect(scheduler.pickNext()).toBe(running);
    expect(scheduler.update(running, SchedEvent.Tick)).toBe(false);
    expect(scheduler.update(running, SchedEvent.Tick)).toBe(false);
    scheduler.enqueue(waiting, EnqueueReason.Woken);
    expect(scheduler.update(running, SchedEvent.Tick)).toBe(true);
    scheduler.enqueue(running, EnqueueReason.Preempted);
    expect(scheduler.pickNext()).toBe(waiting);
    expect(scheduler.update(waiting, SchedEvent.Tick)).toBe(false);
    expect(scheduler.update(waiting, SchedEvent.Tick)).toBe(true);
  });

  it("gives a task that yielded a fresh slice", () => {
    const scheduler = new RoundRobinScheduler({ sliceTicks: 2 });
    const [a, b] = [Task.spawn(idle), Task.spawn(idle)];
    scheduler.enqueue(b, EnqueueReason.Spawned);
    expect(scheduler.update(a, SchedEvent.Tick)).toBe(false);
    scheduler.update(a, SchedEvent.Yield);
    scheduler.enqueue(a, EnqueueReason.Yielded);
    expect(scheduler.update(a, SchedEvent.Tick)).toBe(false);
  });

  it("rejects a slice shorter than one tick", () => {
    expect(() => new RoundRobinScheduler({ sliceTicks: 0 })).toThrow(RangeError);
  });
});
