/**
 * Random system calls with hostile arguments from a scripted init: whatever the numbers,
 * the kernel answers each call (a result or -errno), never logs a kernel bug, never throws
 * to the host, and init still exits normally afterwards.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { Sys } from "../src/syscall/numbers.ts";
import { kernelCases } from "./support/board.ts";
import { events, loadPrograms, runInit, user } from "./support/scripted-kernel.ts";
import { result, syscall, type Step } from "./support/user-script.ts";

/** Calls that would end, replace or park init, or signal it. */
const EXCLUDED = new Set<number>([
  Sys.exit, Sys.exit_group, Sys.execve, Sys.execveat, Sys.fork, Sys.vfork, Sys.clone, Sys.clone3,
  Sys.pause, Sys.rt_sigsuspend, Sys.nanosleep, Sys.clock_nanosleep, Sys.poll, Sys.ppoll, Sys.select, Sys.pselect6,
  Sys.kill, Sys.tkill, Sys.tgkill, Sys.rt_sigaction, Sys.rt_sigreturn, Sys.alarm, Sys.setitimer,
]);
const CALLS = 10_000;

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state;
  };
}

describe("syscall fuzzing (scripted user mode)", () => {
  const answered: number[] = [];
  kernelCases({
    "hostile arguments never break the kernel": async () => {
      const next = random(12345);
      const interesting = [0, 1, 2, 3, -1, -100, 4096, 0x7fff_ffff_f000 - 64, 0x7fff_ffff_e000, 0x400000, 2 ** 47, 2 ** 52, 0x10, -4096, 65_536, 0x7fff_ffff];
      const argument = (): number => (next() % 3 === 0 ? next() % 200_000 : interesting[next() % interesting.length] ?? 0);
      let count = 0;
      const steps = new Map<number, Step>();
      steps.set(0x401000, (u) => {
        if (count > 0) answered.push(result(u.context));
        count++;
        if (count > CALLS) return syscall(u, Sys.exit_group, 0);
        let number = next() % 340;
        while (EXCLUDED.has(number)) number = next() % 340;
        u.context.rip -= 2;
        return syscall(u, number, argument(), argument(), argument(), argument(), argument(), argument());
      });
      loadPrograms(steps);
      expect(await runInit("/bin/init", ["init"])).toBe(0);
      expect(answered).toHaveLength(CALLS);
      expect(events.filter((line) => line.includes("kernel bug"))).toEqual([]);
      expect(answered.every((value) => Number.isSafeInteger(value))).toBe(true);
    },
  }, { beforeAll, it }, user);
});
