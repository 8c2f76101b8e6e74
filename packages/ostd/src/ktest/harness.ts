/**
 * The in-kernel test harness: tests register with `ktest`, and `runKtests` (the main of a
 * test image built by `osdk test`) runs each one as its own task, prints one line per
 * result on the console and powers off with exit code 0 when all passed, 1 otherwise.
 *
 * The line format is stable so that `osdk test` and CI logs can be read by tools:
 * `ktest: ok <name>`, `ktest: FAIL <name>: <reason>`, `ktest: <passed> passed, <failed> failed`.
 */
import { bootInfo } from "../boot/boot-info.ts";
import { powerOff } from "../boot/power.ts";
import { println } from "../log/console.ts";
import { WaitQueue } from "../sync/wait-queue.ts";
import { Task } from "../task/task.ts";

/** A test that has not finished after this much board time fails (and is left behind). */
export const KTEST_TIMEOUT_NS = 60_000_000_000;

export type KtestBody = () => void | Promise<void>;

const registered: { readonly name: string; readonly body: KtestBody }[] = [];

/** Registers an in-kernel test. */
export function ktest(name: string, body: KtestBody): void {
  registered.push({ name, body });
}

export class KtestAssertionError extends Error {
  override readonly name = "KtestAssertionError";
}

export function assert(condition: boolean, message = "assertion failed"): asserts condition {
  if (!condition) throw new KtestAssertionError(message);
}

export function assertEqual<T>(actual: T, expected: T, what = "value"): void {
  if (!Object.is(actual, expected)) {
    throw new KtestAssertionError(`${what}: expected ${String(expected)}, got ${String(actual)}`);
  }
}

function describeFailure(failure: unknown): string | undefined {
  if (failure === undefined) return undefined;
  return failure instanceof Error ? failure.message : JSON.stringify(failure);
}

/** The `ktest.filter=<text>` word of the kernel command line, if any. */
function commandLineFilter(): string {
  const word = bootInfo().commandLine.split(/\s+/).find((w) => w.startsWith("ktest.filter="));
  return word === undefined ? "" : word.slice("ktest.filter=".length);
}

/**
 * Runs every registered test whose name contains `filter` (default: the command line's
 * `ktest.filter=`); powers off with the verdict.
 */
export async function runKtests(filter = commandLineFilter()): Promise<void> {
  let passed = 0;
  let failed = 0;
  for (const test of registered) {
    if (!test.name.includes(filter)) continue;
    const finished = new WaitQueue();
    let done = false;
    const task = Task.spawn(async () => {
      try {
        await test.body();
      } finally {
        done = true;
        finished.wakeAll();
      }
    }, { name: `ktest ${test.name}` });
    const completed = await finished.waitUntil(() => done, KTEST_TIMEOUT_NS);
    if (completed === true) await task.join();
    const failure = completed === true ? describeFailure(task.failure) : `timed out after ${String(KTEST_TIMEOUT_NS / 1e9)} s`;
    if (failure === undefined) {
      passed++;
      println(`ktest: ok ${test.name}`);
    } else {
      failed++;
      println(`ktest: FAIL ${test.name}: ${failure}`);
    }
  }
  println(`ktest: ${String(passed)} passed, ${String(failed)} failed`);
  powerOff(failed === 0 ? 0 : 1);
}
