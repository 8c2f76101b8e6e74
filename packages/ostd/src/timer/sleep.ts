/** Sleeping for a while: a timer that wakes the current task through a wait queue. */
import { WaitQueue } from "../sync/wait-queue.ts";
import { Timer } from "./timer.ts";

/** Parks the current task for at least `durationNs` nanoseconds (rounded up to a tick). */
export async function sleep(durationNs: number): Promise<void> {
  const deadline = Timer.now() + durationNs;
  const queue = new WaitQueue();
  await queue.waitUntil(() => Timer.now() >= deadline, durationNs);
}
