/**
 * How the CPU core (src/cpu/) is wired to the rest of the board (MMU, interrupt controller,
 * clock). These interfaces are board-internal: they are not exported from the package, and
 * they exist so that the instruction set and the system side can be built and tested
 * independently.
 */

/** Access kinds for address translation. */
export const Access = { Read: 0, Write: 1, Execute: 2 } as const;
export type Access = (typeof Access)[keyof typeof Access];

/**
 * User-mode address translation through the 4-level page tables at CR3 (implemented in
 * src/mmu/). The CPU calls `translate` for every memory access; the TLB-hit path must stay
 * small enough for V8 to inline.
 */
export interface AddressTranslator {
  /**
   * Translates a ring-3 access to the byte at `address` (a canonical user address below
   * 2^47, as a double). Returns the physical address, or -1 after recording a page fault in
   * `faultAddress` and `faultErrorCode` (a non-canonical address records the fault with
   * vector 13 instead: see `faultVector`). On success the accessed bit, and for writes the
   * dirty bit, are set in the page-table entries as the architecture requires.
   */
  translate(address: number, access: Access): number;
  readonly faultVector: number;
  readonly faultAddress: number;
  readonly faultErrorCode: number;
}

/** What the CPU needs from the platform while it runs user code. */
export interface CpuPlatform {
  /**
   * Called by the CPU at an instruction boundary at least every `pollInterval` retired
   * instructions (and at every block boundary is fine too). It advances device timers to
   * the current time and returns true when an interrupt is pending, which ends `enterUser`
   * with `UserExit.Interrupt`.
   */
  poll(instructionsRetired: number): boolean;
  /** The largest number of instructions the CPU may retire between two `poll` calls. */
  readonly pollInterval: number;
  /** The time-stamp counter, for RDTSC. */
  readTsc(): number;
}

/**
 * The execution core (src/cpu/) as the system side (src/board.ts and friends) sees it: the
 * board's `Cpu` wraps it with CR3, the TLB, interrupts and the TSC.
 *
 * `src/cpu/index.ts` exports `class X86Core implements ExecutionCore` with the constructor
 * `new X86Core(ram: Uint8Array, mmu: AddressTranslator, platform: CpuPlatform)`.
 */
export interface ExecutionCore {
  createContext(): import("./machine.ts").CpuContext;
  /** Runs ring-3 code until a syscall, an exception, or `platform.poll` reporting an interrupt. */
  run(context: import("./machine.ts").CpuContext): import("./machine.ts").UserExit;
  readonly exceptionVector: number;
  readonly errorCode: number;
  readonly faultAddress: number;
  /** Instructions retired since power-on (drives the deterministic clock). */
  readonly instructionsRetired: number;
  /** Called after CR3 writes, INVLPG and TLB flushes, for caches keyed by virtual address. */
  onTranslationChange(): void;
}
