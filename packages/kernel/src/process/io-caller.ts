/**
 * The `IoCaller` svc-fs passes down to devices and pipes: how a blocking wait learns that
 * the calling process has a signal (EINTR) and how a device raises one on it (SIGPIPE).
 * Kernel devices can map a caller back to its process.
 */

import type { IoCaller } from "@asterism/svc-fs";
import { SiCode } from "../signal/signal-state.ts";
import type { Process } from "./process.ts";

const callers = new WeakMap<IoCaller, Process>();

export function ioCallerOf(process: Process): IoCaller {
  const caller: IoCaller = {
    interrupted: () => process.hasDeliverableSignal,
    raise: (signal) => { process.signal({ signal, code: SiCode.Kernel }); },
  };
  callers.set(caller, process);
  return caller;
}

/**
 * The process behind a caller, for kernel devices that need more than svc-fs's interface
 * (the tty copies termios through the caller's memory and checks its session).
 */
export function processOfCaller(caller: IoCaller): Process | undefined {
  return callers.get(caller);
}
