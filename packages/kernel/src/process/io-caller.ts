/**
 * The `IoCaller` svc-fs passes down to devices and pipes: how a blocking wait learns that
 * the calling process has a signal (EINTR) and how a device raises one on it (SIGPIPE).
 */

import type { IoCaller } from "@asterism/svc-fs";
import { SiCode } from "../signal/signal-state.ts";
import type { Process } from "./process.ts";

export function ioCallerOf(process: Process): IoCaller {
  return {
    interrupted: () => process.hasDeliverableSignal,
    raise: (signal) => { process.signal({ signal, code: SiCode.Kernel }); },
  };
}
