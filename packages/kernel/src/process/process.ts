/**
 * A process: one address space, one thread of user execution, its files, signal state,
 * identity (pid, parent, process group, session, credentials) and exit status.
 *
 * Asterism runs each process's user thread as one OSTD task (see user-thread.ts); threads
 * sharing an address space (clone with CLONE_VM|CLONE_THREAD) are not supported yet, which
 * the static busybox and bash never need. The process table owns the pid namespace, the
 * parent/child tree, reparenting to init, and the rules of kill(2) and wait4(2).
 */

import type { FsContext } from "@asterism/svc-fs";
import type { UserContext } from "@asterism/ostd";
import type { AddressSpace } from "../mm/address-space.ts";
import { Errno, SyscallError } from "../errno.ts";
import type { AltStack } from "../signal/signal-frame.ts";
import { postSignal, SIG_DFL, SignalActions, SignalQueue, SiCode, type SigInfo } from "../signal/signal-state.ts";
import { Signal, SigSet } from "../signal/signals.ts";
import { SyscallArgs } from "../syscall/args.ts";
import { FdTable } from "./fd-table.ts";
import { SignalAwareQueue, type Sleeper } from "./interruptible-wait.ts";
import { WaitOption, WaitStatus } from "./wait-status.ts";

export interface ProcessCredentials {
  uid: number;
  euid: number;
  gid: number;
  egid: number;
}

export interface ProcessInit {
  readonly pid: number;
  readonly parent: Process | undefined;
  readonly pgid: number;
  readonly sid: number;
  readonly space: AddressSpace;
  readonly context: UserContext;
  readonly files: FdTable;
  readonly fs: FsContext;
  readonly actions: SignalActions;
  readonly credentials: ProcessCredentials;
  readonly name: string;
}

/** A state change a parent can collect with wait4. */
interface ChildReport {
  readonly status: number;
  readonly kind: "exit" | "stop" | "continue";
}

export class Process implements Sleeper {
  readonly pid: number;
  parent: Process | undefined;
  pgid: number;
  sid: number;
  readonly children = new Set<Process>();
  space: AddressSpace;
  context: UserContext;
  files: FdTable;
  fs: FsContext;
  actions: SignalActions;
  readonly credentials: ProcessCredentials;
  /** Pending signals and the blocked mask of the (single) thread. */
  readonly pending = new SignalQueue();
  blocked: SigSet = SigSet.EMPTY;
  altStack: AltStack | undefined;
  /** The mask sigsuspend replaced, restored after the handler runs. */
  savedMask: SigSet | undefined;
  clearChildTid = 0;
  /** The arguments of the syscall in flight (one per thread, reused on every call). */
  readonly syscallArgs = new SyscallArgs();
  name: string;
  executable = "";
  commandLine: readonly string[] = [];
  /** Wait status once the process has exited (a zombie until reaped). */
  exitStatus: number | undefined;
  stopped = false;
  #report: ChildReport | undefined;
  /** Woken when a child changes state (wait4 sleeps here) and when this process is continued. */
  readonly events = new SignalAwareQueue();
  sleepingOn: SignalAwareQueue | undefined;
  /** ITIMER_REAL / alarm: the pending SIGALRM and when it fires (monotonic ns). */
  realTimer: { readonly cancel: () => void; readonly deadline: number } | undefined;
  /** Set while a vfork child runs; cleared (and the parent woken) at its exec or exit. */
  vforkParentWaiting = false;

  constructor(init: ProcessInit) {
    this.pid = init.pid;
    this.parent = init.parent;
    this.pgid = init.pgid;
    this.sid = init.sid;
    this.space = init.space;
    this.context = init.context;
    this.files = init.files;
    this.fs = init.fs;
    this.actions = init.actions;
    this.credentials = init.credentials;
    this.name = init.name;
  }

  get isZombie(): boolean {
    return this.exitStatus !== undefined;
  }

  /** Whether a signal is waiting that the thread must act on (ends interruptible waits). */
  get hasDeliverableSignal(): boolean {
    return !this.pending.pending.minus(this.blocked).isEmpty;
  }

  /**
   * Queues a signal and wakes the thread wherever it sleeps. Init (pid 1) receives only the
   * signals it has a handler for, unless the signal is `forced` (a fault it caused).
   */
  signal(info: SigInfo, forced = false): void {
    if (this.isZombie) return;
    if (this.pid === 1 && !forced && this.actions.get(info.signal).handler === SIG_DFL) return;
    postSignal(this.pending, this.actions, this.blocked, info);
    if (info.signal === Signal.SIGKILL || info.signal === Signal.SIGCONT) this.resume();
    this.wakeForSignal();
  }

  wakeForSignal(): void {
    this.sleepingOn?.wakeAll();
  }

  /** Job control: stops the thread (default action of SIGSTOP/SIGTSTP/...). */
  stop(signal: number): void {
    this.stopped = true;
    this.#reportToParent({ status: WaitStatus.stopped(signal), kind: "stop" }, Signal.SIGCHLD, SiCode.CldStopped, signal);
  }

  resume(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.events.wakeAll();
    this.#reportToParent({ status: WaitStatus.continued, kind: "continue" }, Signal.SIGCHLD, SiCode.CldContinued, Signal.SIGCONT);
  }

  /** Marks the process a zombie with `status` and tells the parent. */
  becomeZombie(status: number): void {
    this.exitStatus = status;
    this.stopped = false;
    const killed = (status & 0x7f) !== 0;
    this.#reportToParent(
      { status, kind: "exit" },
      Signal.SIGCHLD,
      killed ? ((status & 0x80) !== 0 ? SiCode.CldDumped : SiCode.CldKilled) : SiCode.CldExited,
      killed ? status & 0x7f : (status >> 8) & 0xff,
    );
  }

  /** wait4's view of a child: its pending report if `options` select it (consumed). */
  takeReport(options: number): ChildReport | undefined {
    const report = this.#report;
    if (report === undefined) return undefined;
    if (report.kind === "stop" && (options & WaitOption.WUNTRACED) === 0) return undefined;
    if (report.kind === "continue" && (options & WaitOption.WCONTINUED) === 0) return undefined;
    if (report.kind !== "exit") this.#report = undefined;
    return report;
  }

  #reportToParent(report: ChildReport, signal: number, code: number, status: number): void {
    if (report.kind !== "exit" || this.#report === undefined) this.#report = report;
    const parent = this.parent;
    if (parent === undefined) return;
    parent.signal({ signal, code, senderPid: this.pid, senderUid: this.credentials.uid, status });
    parent.events.wakeAll();
  }
}

/** The pid namespace and the process tree. */
export class ProcessTable {
  readonly #processes = new Map<number, Process>();
  #nextPid = 1;

  allocatePid(): number {
    while (this.#processes.has(this.#nextPid)) this.#nextPid++;
    return this.#nextPid++;
  }

  add(process: Process): void {
    this.#processes.set(process.pid, process);
    process.parent?.children.add(process);
  }

  get(pid: number): Process | undefined {
    return this.#processes.get(pid);
  }

  get all(): Process[] {
    return [...this.#processes.values()];
  }

  get init(): Process | undefined {
    return this.#processes.get(1);
  }

  inGroup(pgid: number): Process[] {
    return this.all.filter((process) => process.pgid === pgid && !process.isZombie);
  }

  /** Removes a reaped zombie. */
  reap(process: Process): void {
    process.parent?.children.delete(process);
    this.#processes.delete(process.pid);
  }

  /** Gives the children of an exiting process to init (which reaps zombies among them). */
  reparentChildren(process: Process): void {
    const init = this.init;
    for (const child of process.children) {
      child.parent = init === process ? undefined : init;
      if (init !== undefined && init !== process) {
        init.children.add(child);
        if (child.isZombie) init.events.wakeAll();
      }
    }
    process.children.clear();
  }

  /**
   * kill(2): pid > 0 one process, 0 the caller's group, -1 everyone but init and the caller,
   * < -1 the group -pid. Signal 0 only checks that a target exists.
   */
  kill(sender: Process, pid: number, signal: number): void {
    if (!Number.isInteger(signal) || signal < 0 || signal > 64) throw new SyscallError(Errno.EINVAL, `signal ${String(signal)}`);
    let targets: Process[];
    if (pid > 0) targets = this.#existing(pid);
    else if (pid === 0) targets = this.inGroup(sender.pgid);
    else if (pid === -1) targets = this.all.filter((process) => process.pid !== 1 && process !== sender && !process.isZombie);
    else targets = this.inGroup(-pid);
    if (targets.length === 0) throw new SyscallError(Errno.ESRCH, `no process ${String(pid)}`);
    if (signal === 0) return;
    for (const target of targets) {
      target.signal({ signal, code: SiCode.User, senderPid: sender.pid, senderUid: sender.credentials.uid });
    }
  }

  /** Signals every process of a group on behalf of the kernel (the tty's ^C). */
  signalGroup(pgid: number, signal: number): void {
    for (const target of this.inGroup(pgid)) target.signal({ signal, code: SiCode.Kernel });
  }

  #existing(pid: number): Process[] {
    const process = this.get(pid);
    return process === undefined ? [] : [process];
  }
}
