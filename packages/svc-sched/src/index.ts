/**
 * @asterism/svc-sched: scheduling policies for OSTD. The kernel injects one at boot with
 * `injectScheduler(new RoundRobinScheduler())`; OSTD validates every decision it makes.
 */
export const PACKAGE_NAME = "@asterism/svc-sched";

export { RoundRobinScheduler, DEFAULT_SLICE_TICKS, type RoundRobinOptions } from "./round-robin.ts";
