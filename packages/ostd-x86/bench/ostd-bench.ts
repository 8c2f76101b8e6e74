/**
 * OSTD benchmarks on the real board: pages mapped and unmapped per second through a
 * VmSpace cursor, the null trap round trip (user -> kernel -> user through
 * UserMode.execute, next to the board's bare enterUser for reference), and the switch time
 * between two user tasks that yield to each other on every system call.
 *
 * Run with `pnpm --filter @asterism/ostd-x86 bench`.
 */
import { createBoard, type Machine } from "@asterism/board-x86";
import {
  PageFlags, PAGE_SIZE, sleep, Task, UntypedFrame, UserContext, UserMode, unwrap, VmSpace, yieldNow,
} from "@asterism/ostd";
import { boot } from "../src/index.ts";

const CODE_BASE = 0x40_0000;
/** for (;;) { eax = 39; syscall; } */
const SYSCALL_LOOP = Uint8Array.of(0xb8, 0x27, 0x00, 0x00, 0x00, 0x0f, 0x05, 0xeb, 0xf7);

interface Row {
  readonly name: string;
  readonly value: string;
}

function loadLoop(): { space: VmSpace; context: UserContext } {
  const space = unwrap(VmSpace.create());
  const text = unwrap(UntypedFrame.alloc());
  text.write(0, SYSCALL_LOOP);
  unwrap(unwrap(space.cursor(CODE_BASE, CODE_BASE + PAGE_SIZE)).map(text, PageFlags.Read | PageFlags.Exec));
  text.release();
  const context = UserContext.create();
  context.instructionPointer = CODE_BASE;
  return { space, context };
}

function benchMapUnmap(): Row {
  const space = unwrap(VmSpace.create());
  space.activate();
  const frames = Array.from({ length: 64 }, () => unwrap(UntypedFrame.alloc()));
  const pages = 4096;
  const base = 0x1000_0000;
  const round = (): void => {
    const cursor = unwrap(space.cursor(base, base + pages * PAGE_SIZE));
    for (let i = 0; i < pages; i++) unwrap(cursor.map(frames[i & 63] ?? unwrap(UntypedFrame.alloc()), PageFlags.Read | PageFlags.Write));
    unwrap(unwrap(space.cursor(base, base + pages * PAGE_SIZE)).unmap(pages * PAGE_SIZE));
  };
  for (let i = 0; i < 5; i++) round();
  const rounds = 40;
  const start = performance.now();
  for (let i = 0; i < rounds; i++) round();
  const seconds = (performance.now() - start) / 1000;
  for (const frame of frames) frame.release();
  space.destroy();
  return { name: "pages mapped + unmapped per second", value: `${Math.round((rounds * pages) / seconds).toLocaleString("en-US")}` };
}

async function benchNullTrap(): Promise<Row> {
  const { space, context } = loadLoop();
  const user = new UserMode(space, context);
  for (let i = 0; i < 10_000; i++) await user.execute();
  const count = 200_000;
  const start = performance.now();
  for (let i = 0; i < count; i++) await user.execute();
  const ns = ((performance.now() - start) * 1e6) / count;
  space.destroy();
  return { name: "null trap round trip (UserMode.execute)", value: `${ns.toFixed(0)} ns` };
}

function benchBareTrap(machine: Machine): Row {
  const { space, context } = loadLoop();
  space.activate();
  void context;
  // The bench reaches the board directly only to show OSTD's overhead over the bare CPU exit.
  const cpuContext = machine.cpu.createContext();
  cpuContext.rip = CODE_BASE;
  const count = 200_000;
  for (let i = 0; i < 10_000; i++) machine.cpu.enterUser(cpuContext);
  const start = performance.now();
  for (let i = 0; i < count; i++) machine.cpu.enterUser(cpuContext);
  const ns = ((performance.now() - start) * 1e6) / count;
  space.destroy();
  return { name: "  for reference: bare cpu.enterUser syscall exit", value: `${ns.toFixed(0)} ns` };
}

/** Two user tasks in their own address spaces (or one shared space) yield to each other on every syscall. */
async function measureSwitch(sharedSpace: boolean): Promise<number> {
  let switches = 0;
  let running = true;
  const shared = sharedSpace ? loadLoop().space : undefined;
  const worker = async (): Promise<void> => {
    const { space, context } = loadLoop();
    const user = new UserMode(shared ?? space, context);
    while (running) {
      await user.execute();
      switches++;
      await yieldNow();
    }
    space.destroy();
  };
  const tasks = [Task.spawn(worker), Task.spawn(worker)];
  await sleep(200_000_000);
  const before = switches;
  const start = performance.now();
  await sleep(1_000_000_000);
  const elapsedNs = (performance.now() - start) * 1e6;
  const measured = switches - before;
  running = false;
  for (const task of tasks) await task.join();
  shared?.destroy();
  return elapsedNs / measured;
}

async function benchSwitch(nullTrapNs: number): Promise<Row[]> {
  const perSwitch = await measureSwitch(false);
  const sameSpace = await measureSwitch(true);
  return [
    { name: "switch between two user tasks (syscall + yield + resume)", value: `${perSwitch.toFixed(0)} ns` },
    { name: "  of which the task switch alone", value: `${Math.max(0, perSwitch - nullTrapNs).toFixed(0)} ns` },
    { name: "  same, two tasks sharing one address space (no CR3 write)", value: `${sameSpace.toFixed(0)} ns` },
  ];
}

const rows: Row[] = [];
const board = createBoard({ memorySize: 128 * 1024 * 1024, console: { input: null } });
const exitCode = await board.run((machine) =>
  boot(machine, async () => {
    rows.push(benchMapUnmap());
    const trap = await benchNullTrap();
    rows.push(trap, benchBareTrap(machine));
    rows.push(...(await benchSwitch(Number.parseFloat(trap.value))));
  }),
);
const width = Math.max(...rows.map((row) => row.name.length));
console.log(`OSTD on board-x86 (Node ${process.version})`);
for (const row of rows) console.log(`${row.name.padEnd(width)}  ${row.value.padStart(12)}`);
process.exitCode = exitCode;
