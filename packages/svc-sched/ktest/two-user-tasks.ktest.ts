/**
 * A small service-side kernel, written only against OSTD's public API: it loads a
 * hand-assembled user program into two address spaces, injects the round-robin policy and
 * lets the timer switch between the two user tasks while each prints its letter through a
 * `write` system call, until each has had several turns.
 */
import {
  assert, assertEqual, FifoScheduler, injectScheduler, ktest, PageFlags, PAGE_SIZE, ReturnReason,
  println, Task, UntypedFrame, UserContext, UserMode, unwrap, VmSpace, type Scheduler,
} from "@asterism/ostd";
import { RoundRobinScheduler } from "../src/index.ts";

const CODE_BASE = 0x40_0000;
const SPIN_ITERATIONS = 100_000;
/** Bounds the test if the policy never switches: far more writes than one slice allows. */
const MAX_WRITES = 2_000;

/** for (;;) { for (ecx = SPIN; ecx; ecx--); write(1, &letter, 1); } — the letter is the byte after the code. */
function program(letter: number): Uint8Array {
  const spin = [SPIN_ITERATIONS & 0xff, (SPIN_ITERATIONS >>> 8) & 0xff, (SPIN_ITERATIONS >>> 16) & 0xff, 0];
  return Uint8Array.of(
    0xb9, ...spin, // 0: mov ecx, SPIN
    0xff, 0xc9, // 5: dec ecx
    0x75, 0xfc, // 7: jnz 5
    0xbf, 0x01, 0x00, 0x00, 0x00, // 9: mov edi, 1
    0x48, 0x8d, 0x35, 0x0e, 0x00, 0x00, 0x00, // 14: lea rsi, [rip + 14] -> 35
    0xba, 0x01, 0x00, 0x00, 0x00, // 21: mov edx, 1
    0xb8, 0x01, 0x00, 0x00, 0x00, // 26: mov eax, 1 (write)
    0x0f, 0x05, // 31: syscall
    0xeb, 0xdd, // 33: jmp 0
    letter, // 35
  );
}

function loadUserTask(letter: string): { space: VmSpace; context: UserContext } {
  const space = unwrap(VmSpace.create());
  const text = unwrap(UntypedFrame.alloc());
  text.write(0, program(letter.charCodeAt(0)));
  unwrap(unwrap(space.cursor(CODE_BASE, CODE_BASE + PAGE_SIZE)).map(text, PageFlags.Read | PageFlags.Exec));
  text.release();
  const context = UserContext.create();
  context.instructionPointer = CODE_BASE;
  return { space, context };
}

/** Runs one user task until `done`, serving its write system calls into `output`. */
async function runUserTask(letter: string, output: string[], done: () => boolean): Promise<void> {
  const { space, context } = loadUserTask(letter);
  const user = new UserMode(space, context);
  for (;;) {
    const reason = await user.execute(done);
    if (reason === ReturnReason.KernelEvent) break;
    assertEqual(reason, ReturnReason.Syscall, `${letter} stopped for a syscall`);
    assertEqual(context.syscallNumber, 1, "write");
    const bytes = unwrap(await space.readBytes(context.syscallArg(1), context.syscallArg(2)));
    output.push(new TextDecoder().decode(bytes));
    context.setSyscallReturn(bytes.length);
  }
  space.destroy();
}

/** Maximal runs of one letter: "AABBBA" has three. */
function runsOf(output: readonly string[]): number {
  let runs = 0;
  for (let i = 0; i < output.length; i++) if (i === 0 || output[i] !== output[i - 1]) runs++;
  return runs;
}

/** Counts how often the policy hands the CPU to a different task than last time. */
class CountingScheduler implements Scheduler {
  readonly #inner: Scheduler;
  #last: Task | undefined;
  switches = 0;

  constructor(inner: Scheduler) {
    this.#inner = inner;
  }

  enqueue: Scheduler["enqueue"] = (task, reason) => { this.#inner.enqueue(task, reason); };
  update: Scheduler["update"] = (task, event) => this.#inner.update(task, event);
  pickNext: Scheduler["pickNext"] = () => {
    const next = this.#inner.pickNext();
    if (next !== undefined && next !== this.#last) this.switches++;
    this.#last = next;
    return next;
  };
}

ktest("round-robin switches between two user tasks that never yield", async () => {
  const counting = new CountingScheduler(new RoundRobinScheduler({ sliceTicks: 1 }));
  injectScheduler(counting);
  const output: string[] = [];
  const done = (): boolean => runsOf(output) >= 6 || output.length >= MAX_WRITES;
  const tasks = ["A", "B"].map((letter) =>
    Task.spawn(() => runUserTask(letter, output, done), { name: `user ${letter}` }),
  );
  for (const task of tasks) await task.join();
  injectScheduler(new FifoScheduler());
  for (const task of tasks) assert(task.failure === undefined, `${task.name} failed`);
  assert(runsOf(output) >= 6, `the tasks took turns (${String(runsOf(output))} runs in ${String(output.length)} writes)`);
  assert(counting.switches >= 5, `the policy switched tasks (${String(counting.switches)} switches)`);
  println(`two user tasks took ${String(runsOf(output))} turns in ${String(output.length)} writes (${String(counting.switches)} switches)`);
});
