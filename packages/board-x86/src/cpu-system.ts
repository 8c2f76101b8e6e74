/**
 * The CPU as the kernel sees it (`Cpu` in machine.ts): the execution core from src/cpu/ plus
 * the system state around it: CR3 and the TLB (through the MMU), the exception registers,
 * the TSC, and interrupt acknowledgement through the local APIC.
 *
 * It is also the core's `CpuPlatform`: every `pollInterval` instructions the core calls
 * `poll`, which advances the board's timers to the current time and ends `enterUser` with
 * `UserExit.Interrupt` as soon as an interrupt is deliverable. Interrupts therefore arrive
 * at instruction boundaries, at most `pollInterval` instructions late.
 */

import { UserExit, type Cpu, type CpuContext, type PhysAddr } from "./machine.ts";
import type { AddressTranslator, CpuPlatform, ExecutionCore } from "./cpu-wiring.ts";
import type { LocalApic } from "./interrupts/local-apic.ts";
import type { Mmu } from "./mmu/mmu.ts";

/** Builds the execution core (src/cpu/ `X86Core`) around the board's RAM, MMU and platform. */
export type CoreFactory = (ram: Uint8Array, mmu: AddressTranslator, platform: CpuPlatform) => ExecutionCore;

/** The TSC runs at 1 GHz: one tick per nanosecond of board time. */
export const TSC_FREQUENCY = 1_000_000_000;
/** Instructions between two interrupt checks: about 4 microseconds of guest time. */
export const POLL_INTERVAL = 4096;

export interface CpuWiring {
  readonly ram: Uint8Array;
  readonly mmu: Mmu;
  readonly apic: LocalApic;
  /** Nanoseconds of board time. */
  readonly now: () => number;
  /** Advances every timer of the board to the current time. */
  readonly advanceTimers: () => void;
  readonly createCore: CoreFactory;
}

export class SystemCpu implements Cpu, CpuPlatform {
  readonly pollInterval = POLL_INTERVAL;
  readonly tscFrequency = TSC_FREQUENCY;
  private readonly core: ExecutionCore;
  private readonly mmu: Mmu;
  private readonly apic: LocalApic;
  private readonly now: () => number;
  private readonly advanceTimers: () => void;
  private polledInstructions = 0;

  constructor(wiring: CpuWiring) {
    this.mmu = wiring.mmu;
    this.apic = wiring.apic;
    this.now = wiring.now;
    this.advanceTimers = wiring.advanceTimers;
    this.core = wiring.createCore(wiring.ram, wiring.mmu, this);
  }

  /** Instructions retired since power-on, including the run in progress. */
  get instructionsRetired(): number {
    return Math.max(this.core.instructionsRetired, this.polledInstructions);
  }

  createContext(): CpuContext {
    return this.core.createContext();
  }

  enterUser(context: CpuContext): UserExit {
    if (this.interruptPending) return UserExit.Interrupt;
    return this.core.run(context);
  }

  get exceptionVector(): number {
    return this.core.exceptionVector;
  }

  get errorCode(): number {
    return this.core.errorCode;
  }

  get faultAddress(): number {
    return this.core.faultAddress;
  }

  get cr3(): PhysAddr {
    return this.mmu.cr3;
  }

  set cr3(value: PhysAddr) {
    this.mmu.cr3 = value;
    this.core.onTranslationChange();
  }

  invalidatePage(address: number): void {
    this.mmu.invalidatePage(address);
    this.core.onTranslationChange();
  }

  flushTlb(): void {
    this.mmu.flushAll();
    this.core.onTranslationChange();
  }

  readTsc(): number {
    return Math.floor(this.now());
  }

  takeInterrupt(): number {
    this.advanceTimers();
    return this.apic.acknowledge();
  }

  get interruptPending(): boolean {
    this.advanceTimers();
    return this.apic.interruptPending;
  }

  poll(instructionsRetired: number): boolean {
    if (instructionsRetired > this.polledInstructions) this.polledInstructions = instructionsRetired;
    this.advanceTimers();
    return this.apic.interruptPending;
  }
}
