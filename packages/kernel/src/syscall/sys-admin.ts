/**
 * Administration syscalls a shell's init scripts use: mount/umount2 for the in-memory file
 * systems (tmpfs/ramfs, proc), sync, and reboot, whose power-off and halt commands end the
 * machine through OSTD (restart does the same: the board has no reset).
 */

import { powerOff } from "@asterism/ostd";
import { ProcFs, RamFs, type FileSystem } from "@asterism/svc-fs";
import { registerProcEntries } from "../boot/proc-entries.ts";
import { Errno, SyscallError } from "../errno.ts";
import type { Kernel } from "../kernel.ts";
import { readCString, readPath } from "../mm/user-strings.ts";
import type { Process } from "../process/process.ts";
import type { SyscallArgs } from "./args.ts";
import { Sys } from "./numbers.ts";
import { bytesToByteString } from "../util/byte-string.ts";

const REBOOT_MAGIC1 = 0xfee1dead;
const REBOOT_MAGIC2 = [672_274_793, 85_072_278, 369_367_448, 537_993_216];
const RebootCommand = { RESTART: 0x0123_4567, HALT: 0xcdef_0123, POWER_OFF: 0x4321_fedc, CAD_ON: 0x89ab_cdef, CAD_OFF: 0 } as const;
const MS_REMOUNT = 0x20;
const MS_BIND = 0x1000;
const FSTYPE_MAX = 64;

function newFileSystem(kernel: Kernel, type: string): FileSystem {
  switch (type) {
    case "tmpfs":
    case "ramfs":
      return new RamFs({ clock: kernel.vfs.clock, type });
    case "proc": {
      const proc = new ProcFs(kernel.vfs);
      registerProcEntries(proc, kernel);
      return proc;
    }
    default:
      throw new SyscallError(Errno.ENODEV, `file system type ${type} is not available`);
  }
}

async function mount(kernel: Kernel, process: Process, args: SyscallArgs): Promise<number> {
  if (process.credentials.euid !== 0) throw new SyscallError(Errno.EPERM, "mount needs root");
  const target = await readPath(process.space, args.unsigned(1));
  const flags = args.u32(3);
  if ((flags & (MS_REMOUNT | MS_BIND)) !== 0) {
    kernel.vfs.lookup(process.fs, null, target);
    return 0;
  }
  const type = bytesToByteString(await readCString(process.space, args.unsigned(2), FSTYPE_MAX, Errno.ENODEV));
  const source = args.unsigned(0) === 0 ? "none" : bytesToByteString(await readCString(process.space, args.unsigned(0), 4095));
  kernel.vfs.mount(process.fs, newFileSystem(kernel, type), null, target, source);
  return 0;
}

function reboot(process: Process, args: SyscallArgs): number {
  if (process.credentials.euid !== 0) throw new SyscallError(Errno.EPERM, "reboot needs root");
  if (args.u32(0) !== REBOOT_MAGIC1 || !REBOOT_MAGIC2.includes(args.u32(1))) throw new SyscallError(Errno.EINVAL, "bad reboot magic");
  switch (args.u32(2)) {
    case RebootCommand.POWER_OFF >>> 0:
    case RebootCommand.HALT >>> 0:
    case RebootCommand.RESTART:
      powerOff(0);
      return 0;
    case RebootCommand.CAD_ON >>> 0:
    case RebootCommand.CAD_OFF:
      return 0;
    default:
      throw new SyscallError(Errno.EINVAL, "unknown reboot command");
  }
}

export function registerAdminSyscalls(kernel: Kernel): void {
  const table = kernel.syscalls;
  table.register(Sys.mount, (process, args) => mount(kernel, process, args));
  table.register(Sys.umount2, async (process, args) => {
    if (process.credentials.euid !== 0) throw new SyscallError(Errno.EPERM, "umount needs root");
    kernel.vfs.umount(process.fs, null, await readPath(process.space, args.unsigned(0)));
    return 0;
  });
  table.register(Sys.sync, () => 0);
  table.register(Sys.reboot, (process, args) => reboot(process, args));
}
