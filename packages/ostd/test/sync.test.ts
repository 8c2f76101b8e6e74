import { describe, expect, it } from "vitest";
import { Mutex, RwLock, sleep, Task, Timer, WaitQueue, yieldNow } from "../src/index.ts";
import { fakeMachine, inKernel } from "./support/kernel.ts";

/** Advances the fake board clock from the host, as the real board's timer would. */
function advanceClockSoon(ns: number): void {
  const machine = fakeMachine();
  setTimeout(() => { machine.nowNs += ns; }, 2);
}

describe("Mutex", () => {
  it("keeps a critical section exclusive across await points", () =>
    inKernel(async () => {
      const mutex = new Mutex(0);
      let inside = 0;
      const worker = async (): Promise<void> => {
        for (let i = 0; i < 5; i++) {
          await mutex.with(async (guard) => {
            inside++;
            expect(inside).toBe(1);
            const value = guard.value;
            await yieldNow();
            guard.value = value + 1;
            inside--;
          });
        }
      };
      const tasks = [Task.spawn(worker), Task.spawn(worker), Task.spawn(worker)];
      for (const task of tasks) await task.join();
      const guard = await mutex.lock();
      expect(guard.value).toBe(15);
      guard.release();
      expect(() => guard.value).toThrow(/already released/);
      expect(mutex.tryLock()).toBeDefined();
    }));
});

describe("RwLock", () => {
  it("admits readers together and writers alone", () =>
    inKernel(async () => {
      const lock = new RwLock({ n: 0 });
      const first = await lock.read();
      const second = await lock.read();
      let wrote = false;
      const writer = Task.spawn(async () => {
        const guard = await lock.write();
        guard.value.n = 1;
        wrote = true;
        guard.release();
      });
      await yieldNow();
      expect(wrote).toBe(false);
      first.release();
      second.release();
      await writer.join();
      expect(wrote).toBe(true);
      expect((await lock.read()).value.n).toBe(1);
    }));
});

describe("WaitQueue and timers", () => {
  it("wakes a waiter, and times out when nobody does", () =>
    inKernel(async () => {
      const queue = new WaitQueue();
      let ready = false;
      const waiter = Task.spawn(async () => {
        expect(await queue.waitUntil(() => ready && "done")).toBe("done");
      });
      await yieldNow();
      expect(queue.length).toBe(1);
      ready = true;
      expect(queue.wakeOne()).toBe(true);
      await waiter.join();
      const start = Timer.now();
      advanceClockSoon(5_000_000);
      expect(await queue.waitUntil(() => false, 1_000_000)).toBeUndefined();
      expect(Timer.now() - start).toBeGreaterThanOrEqual(1_000_000);
    }));

  it("runs timer callbacks at their deadline and not after cancel", () =>
    inKernel(async () => {
      const fired: string[] = [];
      Timer.after(1000, () => fired.push("a"));
      Timer.after(500, () => fired.push("b")).cancel();
      const start = Timer.now();
      advanceClockSoon(2000);
      await sleep(1500);
      expect(Timer.now() - start).toBeGreaterThanOrEqual(1500);
      expect(fired).toEqual(["a"]);
      expect(() => Timer.after(-1, () => undefined)).toThrow(/bad timer delay/);
    }));
});
