/**
 * Interrupt delivery on the board: the local APIC (timer, EOI) and the I/O APIC (device pin
 * routing), both programmed through MMIO at the addresses of `BoardLayout`. These register
 * windows are sensitive: only this file touches them, and `io.ts` declares them off-limits
 * to IoMem.
 */
import type { ArchInterrupts } from "@asterism/ostd";
import type { Machine } from "@asterism/board-x86";
import { APIC_TIMER_HZ, BoardLayout } from "./board-layout.ts";

const Lapic = {
  Eoi: 0xb0,
  SpuriousVector: 0xf0,
  LvtTimer: 0x320,
  TimerInitialCount: 0x380,
  TimerDivide: 0x3e0,
} as const;
const SPURIOUS_VECTOR = 0xff;
const APIC_ENABLE = 1 << 8;
const TIMER_PERIODIC = 1 << 17;
const DIVIDE_BY_ONE = 0b1011;

const IoApic = { RegisterSelect: 0x00, Data: 0x10, RedirectionBase: 0x10 } as const;
const REDIRECTION_LEVEL_TRIGGERED = 1 << 15;
const REDIRECTION_MASKED = 1 << 16;

export const TIMER_VECTOR = 0x20;
export const FIRST_DEVICE_VECTOR = 0x30;
export const LAST_DEVICE_VECTOR = 0xef;

export function createX86Interrupts(machine: Machine): ArchInterrupts {
  const lapicWrite = (register: number, value: number): void => {
    // SAFETY: local APIC registers, written only by this port.
    machine.mmio.write(BoardLayout.localApicBase + register, 4, value);
  };
  const ioApicWrite = (index: number, value: number): void => {
    // SAFETY: I/O APIC indirect registers, written only by this port.
    machine.mmio.write(BoardLayout.ioApicBase + IoApic.RegisterSelect, 4, index);
    // SAFETY: the I/O APIC data window for the register selected just above.
    machine.mmio.write(BoardLayout.ioApicBase + IoApic.Data, 4, value);
  };
  lapicWrite(Lapic.SpuriousVector, APIC_ENABLE | SPURIOUS_VECTOR);

  return {
    take() {
      return machine.cpu.takeInterrupt();
    },
    get pending() {
      return machine.cpu.interruptPending;
    },
    endOfInterrupt() {
      lapicWrite(Lapic.Eoi, 0);
    },
    timerVector: TIMER_VECTOR,
    firstDeviceVector: FIRST_DEVICE_VECTOR,
    lastDeviceVector: LAST_DEVICE_VECTOR,
    route(irq, vector, levelTriggered) {
      const entry = IoApic.RedirectionBase + irq * 2;
      ioApicWrite(entry + 1, 0);
      const mode = levelTriggered ? REDIRECTION_LEVEL_TRIGGERED : 0;
      ioApicWrite(entry, vector < 0 ? REDIRECTION_MASKED : (vector & 0xff) | mode);
    },
    startTimer(hz) {
      lapicWrite(Lapic.TimerDivide, DIVIDE_BY_ONE);
      lapicWrite(Lapic.LvtTimer, TIMER_PERIODIC | TIMER_VECTOR);
      lapicWrite(Lapic.TimerInitialCount, Math.max(1, Math.round(APIC_TIMER_HZ / hz)));
    },
    halt() {
      return machine.halt();
    },
    pollHost() {
      return machine.pollHost();
    },
  };
}
