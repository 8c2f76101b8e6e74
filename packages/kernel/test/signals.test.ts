import { describe, expect, it } from "vitest";
import { Errno, SyscallError } from "../src/errno.ts";
import {
  applyMask,
  decodeSigAction,
  encodeSigAction,
  MaskHow,
  maskDuringHandler,
  postSignal,
  SaFlag,
  SiCode,
  SIG_DFL,
  SIG_IGN,
  SignalActions,
  SignalQueue,
  takeDeliverable,
  type SigAction,
} from "../src/signal/signal-state.ts";
import { DefaultAction, defaultActionOf, Signal, SigSet } from "../src/signal/signals.ts";

const handlerAction = (handler = 0x401000, flags: number = SaFlag.RESTORER, mask = SigSet.EMPTY): SigAction => ({
  handler,
  flags,
  restorer: 0x401100,
  mask,
});

function errnoOfCall(call: () => unknown): number | undefined {
  try {
    call();
  } catch (error) {
    if (error instanceof SyscallError) return error.errno;
    throw error;
  }
  return undefined;
}

describe("SigSet", () => {
  it("holds signals 1..64 across both words", () => {
    const set = SigSet.of(Signal.SIGINT, 32, 33, 64);
    expect([set.has(2), set.has(32), set.has(33), set.has(64), set.has(3)]).toEqual([true, true, true, true, false]);
    expect(set.low).toBe(0x8000_0002);
    expect(set.high).toBe(0x8000_0001);
    expect(set.lowest()).toBe(2);
    expect(set.without(2).without(32).lowest()).toBe(33);
    expect(SigSet.EMPTY.lowest()).toBe(0);
    expect(set.has(0) || set.has(65)).toBe(false);
    const bytes = new Uint8Array(8);
    set.encode(bytes);
    expect(SigSet.decode(bytes).equals(set)).toBe(true);
    expect(SigSet.of(9, 19, 2).blockable().equals(SigSet.of(2))).toBe(true);
  });
});

describe("default actions", () => {
  it("match Linux", () => {
    expect(defaultActionOf(Signal.SIGSEGV)).toBe(DefaultAction.CoreDump);
    expect(defaultActionOf(Signal.SIGCHLD)).toBe(DefaultAction.Ignore);
    expect(defaultActionOf(Signal.SIGTSTP)).toBe(DefaultAction.Stop);
    expect(defaultActionOf(Signal.SIGCONT)).toBe(DefaultAction.Continue);
    expect(defaultActionOf(Signal.SIGPIPE)).toBe(DefaultAction.Terminate);
    expect(defaultActionOf(40)).toBe(DefaultAction.Terminate);
  });
});

describe("sigaction", () => {
  it("installs handlers, returns the old action and refuses SIGKILL/SIGSTOP and bad numbers", () => {
    const actions = new SignalActions();
    expect(actions.set(Signal.SIGINT, handlerAction()).handler).toBe(SIG_DFL);
    expect(actions.get(Signal.SIGINT).handler).toBe(0x401000);
    expect(errnoOfCall(() => actions.set(Signal.SIGKILL, handlerAction()))).toBe(Errno.EINVAL);
    expect(errnoOfCall(() => actions.set(Signal.SIGSTOP, { ...handlerAction(), handler: SIG_IGN }))).toBe(Errno.EINVAL);
    expect(errnoOfCall(() => actions.get(0))).toBe(Errno.EINVAL);
    expect(errnoOfCall(() => actions.get(65))).toBe(Errno.EINVAL);
  });

  it("encodes the kernel struct sigaction", () => {
    const action = handlerAction(0x4011aa, SaFlag.RESTORER | SaFlag.SIGINFO | SaFlag.RESETHAND, SigSet.of(2, 15));
    const decoded = decodeSigAction(encodeSigAction(action));
    expect(decoded.handler).toBe(0x4011aa);
    expect(decoded.flags >>> 0).toBe((SaFlag.RESTORER | SaFlag.SIGINFO | SaFlag.RESETHAND) >>> 0);
    expect(decoded.mask.equals(SigSet.of(2, 15))).toBe(true);
  });

  it("fork copies, exec resets handlers but keeps ignored", () => {
    const actions = new SignalActions();
    actions.set(Signal.SIGINT, handlerAction());
    actions.set(Signal.SIGQUIT, { ...handlerAction(), handler: SIG_IGN });
    const child = actions.clone();
    actions.resetForExec();
    expect(actions.get(Signal.SIGINT).handler).toBe(SIG_DFL);
    expect(actions.get(Signal.SIGQUIT).handler).toBe(SIG_IGN);
    expect(child.get(Signal.SIGINT).handler).toBe(0x401000);
  });
});

describe("sigprocmask", () => {
  it("blocks, unblocks, sets, and never blocks SIGKILL or SIGSTOP", () => {
    let mask = applyMask(SigSet.EMPTY, MaskHow.Block, SigSet.of(2, 9, 19));
    expect(mask.equals(SigSet.of(2))).toBe(true);
    mask = applyMask(mask, MaskHow.SetMask, SigSet.of(10, 12));
    expect(mask.equals(SigSet.of(10, 12))).toBe(true);
    mask = applyMask(mask, MaskHow.Unblock, SigSet.of(10));
    expect(mask.equals(SigSet.of(12))).toBe(true);
    expect(errnoOfCall(() => applyMask(mask, 7, SigSet.EMPTY))).toBe(Errno.EINVAL);
  });
});

describe("generation and delivery", () => {
  it("delivers the lowest unblocked signal; blocked ones wait", () => {
    const actions = new SignalActions();
    actions.set(Signal.SIGUSR1, handlerAction());
    const queue = new SignalQueue();
    postSignal(queue, actions, SigSet.EMPTY, { signal: Signal.SIGTERM, code: SiCode.User, senderPid: 5 });
    postSignal(queue, actions, SigSet.EMPTY, { signal: Signal.SIGUSR1, code: SiCode.User });
    const blocked = SigSet.of(Signal.SIGTERM);
    const first = takeDeliverable([queue], actions, blocked);
    expect(first?.kind).toBe("handler");
    expect(first?.info.signal).toBe(Signal.SIGUSR1);
    expect(takeDeliverable([queue], actions, blocked)).toBeUndefined();
    const second = takeDeliverable([queue], actions, SigSet.EMPTY);
    expect(second).toEqual({ kind: "default", info: { signal: Signal.SIGTERM, code: SiCode.User, senderPid: 5 }, action: DefaultAction.Terminate });
  });

  it("drops ignored signals at generation unless blocked, and coalesces standard signals", () => {
    const actions = new SignalActions();
    const queue = new SignalQueue();
    postSignal(queue, actions, SigSet.EMPTY, { signal: Signal.SIGCHLD, code: SiCode.CldExited });
    expect(queue.pending.isEmpty).toBe(true);
    postSignal(queue, actions, SigSet.of(Signal.SIGCHLD), { signal: Signal.SIGCHLD, code: SiCode.CldExited });
    postSignal(queue, actions, SigSet.EMPTY, { signal: Signal.SIGINT, code: SiCode.Kernel });
    postSignal(queue, actions, SigSet.EMPTY, { signal: Signal.SIGINT, code: SiCode.Kernel });
    postSignal(queue, actions, SigSet.EMPTY, { signal: 40, code: SiCode.User });
    postSignal(queue, actions, SigSet.EMPTY, { signal: 40, code: SiCode.User });
    expect(queue.take(Signal.SIGINT)).toBeDefined();
    expect(queue.pending.has(Signal.SIGINT)).toBe(false);
    expect(queue.take(40)).toBeDefined();
    expect(queue.pending.has(40)).toBe(true);
    // SIGCHLD pending while blocked, ignored by default: consumed silently at delivery.
    expect(takeDeliverable([queue], actions, SigSet.EMPTY)?.info.signal).toBe(40);
    expect(takeDeliverable([queue], actions, SigSet.EMPTY)).toBeUndefined();
  });

  it("SIGCONT cancels pending stops and a stop cancels SIGCONT", () => {
    const actions = new SignalActions();
    actions.set(Signal.SIGCONT, handlerAction());
    const queue = new SignalQueue();
    postSignal(queue, actions, SigSet.EMPTY, { signal: Signal.SIGTSTP, code: SiCode.Kernel });
    postSignal(queue, actions, SigSet.EMPTY, { signal: Signal.SIGCONT, code: SiCode.User });
    expect(queue.pending.equals(SigSet.of(Signal.SIGCONT))).toBe(true);
    postSignal(queue, actions, SigSet.EMPTY, { signal: Signal.SIGSTOP, code: SiCode.User });
    expect(queue.pending.equals(SigSet.of(Signal.SIGSTOP))).toBe(true);
  });

  it("masks the signal itself during its handler unless SA_NODEFER", () => {
    const action = handlerAction(0x401000, SaFlag.RESTORER, SigSet.of(Signal.SIGTERM, Signal.SIGKILL));
    expect(maskDuringHandler(SigSet.EMPTY, Signal.SIGINT, action).equals(SigSet.of(2, 15))).toBe(true);
    const nodefer = { ...action, flags: action.flags | SaFlag.NODEFER };
    expect(maskDuringHandler(SigSet.EMPTY, Signal.SIGINT, nodefer).equals(SigSet.of(15))).toBe(true);
  });
});
