/**
 * @asterism/svc-sched: Scheduling policies for OSTD (preemptive round-robin), injected at boot.
 */
export const PACKAGE_NAME = "@asterism/svc-sched";
