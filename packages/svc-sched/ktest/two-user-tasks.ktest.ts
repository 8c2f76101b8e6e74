/**
 * A small service-side kernel, written only against OSTD's public API: it loads a
 * hand-assembled user program into two address spaces, injects the round-robin policy and
 * lets the timer switch between the two user tasks while each prints its letter through a
 * `write` system call.
 */
import {
  assert, assertEqual, FifoScheduler, injectScheduler, ktest, PageFlags, PAGE_SIZE, Register, ReturnReason,
  println, Task, UntypedFrame, UserContext, UserMode, unwrap, VmSpace, type Scheduler,
} from "@asterism/ostd";
import { RoundRobinScheduler } from "../src/index.ts";

const CODE_BASE = 0x40_0000;
const SPIN_ITERATIONS = 150_000;

/**
 * for (rbx = rounds; rbx; rbx--) { for (ecx = SPIN; ecx; ecx--); write(1, &letter, 1); } exit(0);
 * The letter is the byte after the code.
 */
function program(letter: number): Uint8Array {
  const spin = [SPIN_ITERATIONS & 0xff, (SPIN_ITERATIONS >>> 8) & 0xff, (SPIN_ITERATIONS >>> 16) & 0xff, 0];
  return Uint8Array.of(
    0xb9, ...spin, // 0: mov ecx, SPIN
    0xff, 0xc9, // 5: dec ecx
    0x75, 0xfc, // 7: jnz 5
    0xbf, 0x01, 0x00, 0x00, 0x00, // 9: mov edi, 1
    0x48, 0x8d, 0x35, 0x1a, 0x00, 0x00, 0x00, // 14: lea rsi, [rip + 26] -> 47
    0xba, 0x01, 0x00, 0x00, 0x00, // 21: mov edx, 1
    0xb8, 0x01, 0x00, 0x00, 0x00, // 26: mov eax, 1 (write)
    0x0f, 0x05, // 31: syscall
    0x48, 0xff, 0xcb, // 33: dec rbx
    0x75, 0xda, // 36: jnz 0
    0x31, 0xff, // 38: xor edi, edi
    0xb8, 0x3c, 0x00, 0x00, 0x00, // 40: mov eax, 60 (exit)
    0x0f, 0x05, // 45: syscall
    letter, // 47
  );
}

function loadUserTask(letter: string, rounds: number): { space: VmSpace; context: UserContext } {
  const space = unwrap(VmSpace.create());
  const text = unwrap(UntypedFrame.alloc());
  text.write(0, program(letter.charCodeAt(0)));
  unwrap(unwrap(space.cursor(CODE_BASE, CODE_BASE + PAGE_SIZE)).map(text, PageFlags.Read | PageFlags.Exec));
  text.release();
  const context = UserContext.create();
  context.instructionPointer = CODE_BASE;
  context.set(Register.RBX, rounds);
  return { space, context };
}

/** Runs one user task to its exit, appending what it writes to `output`. */
async function runUserTask(letter: string, rounds: number, output: string[]): Promise<number> {
  const { space, context } = loadUserTask(letter, rounds);
  const user = new UserMode(space, context);
  for (;;) {
    assertEqual(await user.execute(), ReturnReason.Syscall, `${letter} stopped for a syscall`);
    if (context.syscallNumber === 60) break;
    const bytes = unwrap(await space.readBytes(context.syscallArg(1), context.syscallArg(2)));
    output.push(new TextDecoder().decode(bytes));
    context.setSyscallReturn(bytes.length);
  }
  space.destroy();
  return context.syscallArg(0);
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
  const exits: number[] = [];
  const tasks = ["A", "B"].map((letter) =>
    Task.spawn(async () => { exits.push(await runUserTask(letter, 12, output)); }, { name: `user ${letter}` }),
  );
  for (const task of tasks) await task.join();
  injectScheduler(new FifoScheduler());
  const text = output.join("");
  assertEqual(text.replace(/B/g, "").length, 12, "A's writes");
  assertEqual(text.replace(/A/g, "").length, 12, "B's writes");
  assertEqual(exits.join(","), "0,0", "exit codes");
  const runs = text.match(/A+|B+/g) ?? [];
  assert(runs.length >= 3, `the tasks interleaved (${text})`);
  println(`two user tasks wrote ${text} (${String(counting.switches)} switches)`);
  assert(counting.switches >= 3, `the policy switched tasks (${String(counting.switches)} switches)`);
});
