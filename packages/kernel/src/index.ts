/**
 * @asterism/kernel: the Linux ABI on top of OSTD: ELF loading, the initial stack, the
 * syscall table and dispatcher, signals, the tty line discipline, pipes, processes. It is a
 * safe service: it reaches the machine only through `@asterism/ostd`.
 */
export const PACKAGE_NAME = "@asterism/kernel";

export { Errno, errnoName, SyscallError, sysError } from "./errno.ts";
export { ExecFormatError, parseElf, type ElfExecutable, type ProgramHeader } from "./elf/elf-file.ts";
export { planLoad, Prot, type LoadPlan, type SegmentMapping } from "./elf/load-plan.ts";
export { AuxType, buildInitialStack, type StackImage, type StackRequest } from "./elf/initial-stack.ts";
export { Sys, syscallName } from "./syscall/numbers.ts";
export { Gpr, SyscallArgs, resultHalves } from "./syscall/args.ts";
export { SyscallTable, errnoOf, REGISTERS_REPLACED, type SyscallHandler, type SyscallResult } from "./syscall/dispatcher.ts";
export { Signal, SigSet, DefaultAction, defaultActionOf } from "./signal/signals.ts";
export * from "./signal/signal-state.ts";
export * from "./signal/signal-frame.ts";
export * from "./tty/termios.ts";
export { LineDiscipline, type LineDisciplineHooks, type ReadOutcome } from "./tty/line-discipline.ts";
export { Pipe, PIPE_BUF, PIPE_CAPACITY, type PipeIoOptions, type WaitChannel } from "./ipc/pipe.ts";
