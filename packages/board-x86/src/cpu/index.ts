/**
 * The x86-64 user-mode execution core (board-internal): the board's `Cpu` wraps `X86Core`
 * with CR3, the TLB, interrupts and the TSC (see ../cpu-wiring.ts).
 */

export { X86Core } from "./x86-core.ts";
export { X86Context } from "./context.ts";
export { CPUID_1_EDX, CPUID_80000001_EDX } from "./exec-two-byte.ts";
