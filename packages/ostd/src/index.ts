/**
 * @asterism/ostd: OSTD, the arch-neutral half of the OS framework: the only code besides ostd-x86 that may touch raw machine resources. Frames, VmSpace, user mode, tasks, sync, timers, IRQs, DMA.
 */
export const PACKAGE_NAME = "@asterism/ostd";
