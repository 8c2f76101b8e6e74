/**
 * @asterism/kernel: The Linux ABI: processes, syscalls, signals, ELF loading, the tty; the kernel image entry.
 */
export const PACKAGE_NAME = "@asterism/kernel";
