/**
 * The kernel object: what every syscall handler reaches through its caller. It owns the
 * process table, the VFS, the syscall table and the kernel's services (entropy, logging),
 * and implements the process lifecycle that several syscalls share: spawning init, fork,
 * execve, exit and the wait4 bookkeeping.
 */

import { Register, Task, UserContext } from "@asterism/ostd";
import { S_IFMT, S_IFREG, type Vfs, X_OK } from "@asterism/svc-fs";
import { Errno, SyscallError } from "./errno.ts";
import type { PipeRegistry } from "./ipc/fifo.ts";
import { AddressSpace } from "./mm/address-space.ts";
import { FdTable } from "./process/fd-table.ts";
import { SignalAwareQueue, setSleeperLookup } from "./process/interruptible-wait.ts";
import { Process, ProcessTable } from "./process/process.ts";
import { loadProgram } from "./process/program-loader.ts";
import { WaitOption } from "./process/wait-status.ts";
import { SaFlag, SIG_IGN, SignalActions } from "./signal/signal-state.ts";
import { Signal } from "./signal/signals.ts";
import { SyscallTable } from "./syscall/dispatcher.ts";
import { Entropy } from "./util/entropy.ts";
import { bytesToByteString, utf8ByteString, utf8Bytes } from "./util/byte-string.ts";

const DEFAULT_MEMORY_BYTES = 64 * 1024 * 1024;
const PAGE_BYTES = 4096;

/** CPUID.1:EDX of the board's baseline CPU (FPU TSC CX8 CMOV MMX FXSR SSE SSE2), for AT_HWCAP. */
export const BASELINE_HWCAP = 0x0789_8131;

export interface KernelOptions {
  readonly vfs: Vfs;
  /** The registry whose `opener` the VFS was given as its FIFO opener. */
  readonly pipes: PipeRegistry;
  readonly log: (message: string) => void;
  readonly entropySeed: number;
  /** Usable RAM in bytes, as sysinfo and /proc/meminfo report it. */
  readonly memoryBytes?: number;
}

/** Runs a process's user thread; provided by user-thread.ts (kept apart to avoid a cycle). */
export type ThreadStarter = (kernel: Kernel, process: Process) => void;

/** A parent ignoring SIGCHLD (or with SA_NOCLDWAIT) gets no zombies: children are reaped at exit. */
function discardsChildren(parent: Process): boolean {
  const action = parent.actions.get(Signal.SIGCHLD);
  return action.handler === SIG_IGN || (action.flags & SaFlag.NOCLDWAIT) !== 0;
}

export class Kernel {
  readonly table = new ProcessTable();
  readonly vfs: Vfs;
  readonly pipes: PipeRegistry;
  readonly syscalls: SyscallTable<Process>;
  readonly entropy: Entropy;
  readonly log: (message: string) => void;
  readonly memoryBytes: number;
  #startThread: ThreadStarter | undefined;
  /** Woken whenever a process exits, for whoever waits on a process without being its parent. */
  readonly exits = new SignalAwareQueue();
  readonly #threads = new WeakMap<Task, Process>();

  constructor(options: KernelOptions) {
    this.vfs = options.vfs;
    this.pipes = options.pipes;
    this.log = options.log;
    this.memoryBytes = options.memoryBytes ?? DEFAULT_MEMORY_BYTES;
    this.entropy = new Entropy(options.entropySeed);
    this.syscalls = new SyscallTable<Process>(options.log);
    setSleeperLookup((task) => this.#threads.get(task));
  }

  setThreadStarter(starter: ThreadStarter): void {
    this.#startThread = starter;
  }

  /** Called by the thread starter with the task that runs `process`. */
  bindTask(task: Task, process: Process): void {
    this.#threads.set(task, process);
  }

  /** The process the current task runs, if any. */
  currentProcess(): Process | undefined {
    const task = Task.currentOrUndefined();
    return task === undefined ? undefined : this.#threads.get(task);
  }

  /** Creates pid 1 running `path` (JavaScript text, UTF-8 encoded) with fds 0-2 installed by `setupFiles`. */
  async spawnInit(path: string, argv: readonly string[], envp: readonly string[], setupFiles: (files: FdTable, process: Process) => void | Promise<void>): Promise<Process> {
    const placeholder = AddressSpace.create();
    const process = new Process({
      pid: this.table.allocatePid(),
      parent: undefined,
      pgid: 1,
      sid: 1,
      space: placeholder,
      context: UserContext.create(),
      files: new FdTable(),
      fs: this.vfs.createContext(),
      actions: new SignalActions(),
      credentials: { uid: 0, euid: 0, gid: 0, egid: 0 },
      name: "init",
    });
    this.table.add(process);
    await setupFiles(process.files, process);
    await this.exec(process, utf8ByteString(path), argv.map(utf8Bytes), envp.map(utf8Bytes));
    this.#start(process);
    return process;
  }

  /** fork/vfork: a copy of `parent` (copy-on-write memory, shared open files). */
  fork(parent: Process): Process {
    const child = new Process({
      pid: this.table.allocatePid(),
      parent,
      pgid: parent.pgid,
      sid: parent.sid,
      space: parent.space.fork(),
      context: parent.context.clone(),
      files: parent.files.clone(),
      fs: parent.fs.clone(),
      actions: parent.actions.clone(),
      credentials: { ...parent.credentials },
      name: parent.name,
    });
    child.blocked = parent.blocked;
    child.altStack = parent.altStack;
    child.executable = parent.executable;
    child.commandLine = parent.commandLine;
    child.context.setSyscallReturn(0);
    this.table.add(child);
    this.#start(child);
    return child;
  }

  /** execve: replaces the program of `process`; on failure the old program is intact. */
  async exec(process: Process, path: string, argv: readonly Uint8Array[], envp: readonly Uint8Array[]): Promise<void> {
    const credentials = process.credentials;
    const program = await loadProgram(
      { path, argv, envp, credentials, random: this.entropy.bytes(16), hwcap: BASELINE_HWCAP },
      (file) => this.#readExecutable(process, file),
    );
    const old = process.space;
    process.space = program.space;
    old.destroy();
    const context = UserContext.create();
    context.instructionPointer = program.entry;
    context.set(Register.RSP, program.stackPointer);
    process.context = context;
    process.files.closeOnExec();
    process.actions.resetForExec();
    process.altStack = undefined;
    process.clearChildTid = 0;
    process.executable = program.executable;
    process.commandLine = program.argv.map(bytesToByteString);
    process.name = (program.executable.split("/").at(-1) ?? program.executable).slice(0, 15);
    this.releaseVforkParent(process);
  }

  /** exit_group and fatal signals: frees everything but the zombie's status. */
  exit(process: Process, status: number): void {
    if (process.isZombie) return;
    process.realTimer?.cancel();
    process.realTimer = undefined;
    process.files.closeAll();
    process.space.destroy();
    this.table.reparentChildren(process);
    this.releaseVforkParent(process);
    process.becomeZombie(status);
    const parent = process.parent;
    if (parent === undefined ? process.pid !== 1 : discardsChildren(parent)) this.table.reap(process);
    this.exits.wakeAll();
  }

  /** vfork's parent sleeps until the child execs or exits. */
  releaseVforkParent(child: Process): void {
    if (!child.vforkParentWaiting) return;
    child.vforkParentWaiting = false;
    child.parent?.events.wakeAll();
  }

  /**
   * wait4's core: the pid and status of a child matching `pid` (-1 any, 0 my group, < -1 that
   * group) with something to report, 0 with WNOHANG, ECHILD without such children, EINTR on
   * a signal.
   */
  async wait(process: Process, pid: number, options: number): Promise<{ pid: number; status: number }> {
    const matches = (child: Process): boolean =>
      pid === -1 || (pid > 0 && child.pid === pid) || (pid === 0 && child.pgid === process.pgid) || (pid < -1 && child.pgid === -pid);
    const collect = (): { pid: number; status: number } | "none" | "interrupted" | undefined => {
      const candidates = [...process.children].filter(matches);
      if (candidates.length === 0) return "none";
      for (const child of candidates) {
        const report = child.takeReport(options);
        if (report === undefined) continue;
        if (report.kind === "exit") this.table.reap(child);
        return { pid: child.pid, status: report.status };
      }
      if ((options & WaitOption.WNOHANG) !== 0) return { pid: 0, status: 0 };
      return process.hasDeliverableSignal ? "interrupted" : undefined;
    };
    const outcome = await process.events.waitUntil(collect);
    if (outcome === "none") throw new SyscallError(Errno.ECHILD);
    if (outcome === "interrupted" || outcome === undefined) throw new SyscallError(Errno.EINTR);
    return outcome;
  }

  /** Bytes of user memory in use (resident pages of every live process; shared pages count once per process). */
  get usedMemoryBytes(): number {
    return this.table.all.reduce((sum, process) => sum + (process.isZombie ? 0 : process.space.residentPages * PAGE_BYTES), 0);
  }

  /** Waits until `process` has exited and returns its wait status. */
  async waitForExit(process: Process): Promise<number> {
    return (await this.exits.waitUntil(() => process.exitStatus)) ?? 0;
  }

  #start(process: Process): void {
    if (this.#startThread === undefined) throw new Error("no thread starter installed");
    this.#startThread(this, process);
  }

  async #readExecutable(process: Process, path: string): Promise<Uint8Array> {
    this.vfs.access(process.fs, null, path, X_OK);
    const stat = this.vfs.stat(process.fs, null, path);
    if ((stat.mode & S_IFMT) !== S_IFREG) throw new SyscallError(Errno.EACCES, `${path} is not a regular file`);
    return this.vfs.readFile(process.fs, null, path);
  }
}
