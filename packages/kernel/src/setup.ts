/**
 * Assembles a kernel: the Kernel object, every syscall group registered on its table, and
 * the user-thread starter. Both the image's main function and the tests build kernels here.
 */

import type { Vfs } from "@asterism/svc-fs";
import type { PipeRegistry } from "./ipc/fifo.ts";
import { Kernel } from "./kernel.ts";
import { startUserThread } from "./process/user-thread.ts";
import { registerAdminSyscalls } from "./syscall/sys-admin.ts";
import { registerFileSyscalls } from "./syscall/sys-file.ts";
import { registerMemorySyscalls } from "./syscall/sys-memory.ts";
import { registerPathSyscalls } from "./syscall/sys-path.ts";
import { registerPollSyscalls } from "./syscall/sys-poll.ts";
import { registerProcessSyscalls } from "./syscall/sys-process.ts";
import { registerSignalSyscalls } from "./syscall/sys-signal.ts";
import { registerSystemSyscalls } from "./syscall/sys-system.ts";

export interface KernelSetup {
  readonly vfs: Vfs;
  readonly pipes: PipeRegistry;
  readonly log: (message: string) => void;
  readonly entropySeed: number;
  readonly memoryBytes?: number;
}

export function createKernel(setup: KernelSetup): Kernel {
  const kernel = new Kernel(setup);
  kernel.setThreadStarter(startUserThread);
  registerProcessSyscalls(kernel);
  registerMemorySyscalls(kernel);
  registerSignalSyscalls(kernel);
  registerSystemSyscalls(kernel);
  registerFileSyscalls(kernel);
  registerPathSyscalls(kernel);
  registerPollSyscalls(kernel);
  registerAdminSyscalls(kernel);
  return kernel;
}
