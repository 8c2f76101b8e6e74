/**
 * @asterism/ostd-x86: OSTD, the x86-64 half: page tables, traps, APIC, PCI, boot on the board.
 */
export const PACKAGE_NAME = "@asterism/ostd-x86";
