import { describe, expect, it } from "vitest";
import { IoApic, Redirection } from "../../src/interrupts/io-apic.ts";
import { APIC_TIMER_HZ, ApicRegister as R, LocalApic } from "../../src/interrupts/local-apic.ts";

function apicAt() {
  let now = 0;
  const apic = new LocalApic(() => now);
  apic.write(R.SpuriousVector, 0x1ff);
  return { apic, advanceTo: (ns: number) => { now = ns; apic.advance(); } };
}

describe("local APIC", () => {
  it("holds interrupts while software-disabled (SVR bit 8 clear)", () => {
    const apic = new LocalApic(() => 0);
    apic.raise(0x30);
    expect(apic.interruptPending).toBe(false);
    apic.write(R.SpuriousVector, 0x100);
    expect(apic.acknowledge()).toBe(0x30);
  });

  it("delivers the highest vector first and masks lower classes while one is in service", () => {
    const { apic } = apicAt();
    apic.raise(0x31);
    apic.raise(0x52);
    apic.raise(0x55);
    expect(apic.acknowledge()).toBe(0x55);
    expect(apic.read(R.InService + 0x20)).toBe(1 << (0x55 - 0x40));
    expect(apic.acknowledge()).toBe(-1);
    apic.write(R.Eoi, 0);
    expect(apic.acknowledge()).toBe(0x52);
    apic.write(R.Eoi, 0);
    expect(apic.acknowledge()).toBe(0x31);
    apic.write(R.Eoi, 0);
    expect(apic.acknowledge()).toBe(-1);
  });

  it("the task priority blocks classes at or below it", () => {
    const { apic } = apicAt();
    apic.write(R.TaskPriority, 0x40);
    apic.raise(0x45);
    expect(apic.interruptPending).toBe(false);
    apic.raise(0x51);
    expect(apic.acknowledge()).toBe(0x51);
    expect(apic.read(R.ProcessorPriority)).toBe(0x50);
  });

  it("ignores illegal vectors 0-15", () => {
    const { apic } = apicAt();
    apic.raise(3);
    expect(apic.interruptPending).toBe(false);
  });

  it("one-shot timer fires once at initial count x divisor / 100 MHz", () => {
    const { apic, advanceTo } = apicAt();
    apic.write(R.TimerDivide, 0b1011);
    apic.write(R.LvtTimer, 0x40);
    apic.write(R.TimerInitialCount, 1000);
    const periodNs = (1000 * 1e9) / APIC_TIMER_HZ;
    expect(apic.nextDeadline()).toBe(periodNs);
    advanceTo(periodNs / 2);
    expect(apic.read(R.TimerCurrentCount)).toBe(500);
    expect(apic.interruptPending).toBe(false);
    advanceTo(periodNs);
    expect(apic.acknowledge()).toBe(0x40);
    apic.write(R.Eoi, 0);
    advanceTo(periodNs * 5);
    expect(apic.interruptPending).toBe(false);
    expect(apic.read(R.TimerCurrentCount)).toBe(0);
  });

  it("periodic timer re-arms; a masked timer counts but raises nothing", () => {
    const { apic, advanceTo } = apicAt();
    apic.write(R.TimerDivide, 0);
    apic.write(R.LvtTimer, 0x41 | (1 << 17));
    apic.write(R.TimerInitialCount, 50);
    expect(apic.nextDeadline()).toBe(1000);
    advanceTo(1000);
    expect(apic.acknowledge()).toBe(0x41);
    apic.write(R.Eoi, 0);
    expect(apic.nextDeadline()).toBe(2000);
    advanceTo(5500);
    expect(apic.nextDeadline()).toBe(6000);
    apic.write(R.LvtTimer, 0x41 | (1 << 17) | (1 << 16));
    apic.acknowledge();
    apic.write(R.Eoi, 0);
    advanceTo(6000);
    expect(apic.interruptPending).toBe(false);
  });

  it("writing initial count 0 stops the timer", () => {
    const { apic } = apicAt();
    apic.write(R.LvtTimer, 0x40);
    apic.write(R.TimerInitialCount, 10);
    apic.write(R.TimerInitialCount, 0);
    expect(apic.nextDeadline()).toBe(Infinity);
  });
});

describe("I/O APIC", () => {
  function ioApic() {
    const delivered: [number, boolean][] = [];
    const io = new IoApic((vector, level) => delivered.push([vector, level]));
    const program = (pin: number, low: number) => {
      io.write(0, 0x10 + pin * 2);
      io.write(0x10, low);
    };
    return { io, delivered, program };
  }

  it("reports 24 redirection entries, all masked after reset", () => {
    const { io } = ioApic();
    io.write(0, 1);
    expect((io.read(0x10) >>> 16) & 0xff).toBe(23);
    io.write(0, 0x10 + 2 * 5);
    expect(io.read(0x10) & Redirection.Masked).toBe(Redirection.Masked);
  });

  it("edge-triggered pins deliver on rising edges only, never while masked", () => {
    const { io, delivered, program } = ioApic();
    const line = io.line(4);
    line.set(true);
    expect(delivered).toEqual([]);
    line.set(false);
    program(4, 0x24);
    line.set(true);
    line.set(true);
    line.set(false);
    line.set(true);
    expect(delivered).toEqual([[0x24, false], [0x24, false]]);
  });

  it("level-triggered pins set Remote IRR and redeliver after EOI while still high", () => {
    const { io, delivered, program } = ioApic();
    program(16, 0x50 | Redirection.LevelTriggered);
    const line = io.line(16);
    line.set(true);
    line.set(true);
    expect(delivered).toEqual([[0x50, true]]);
    io.write(0, 0x10 + 32);
    expect(io.read(0x10) & Redirection.RemoteIrr).toBe(Redirection.RemoteIrr);
    io.endOfInterrupt(0x50);
    expect(delivered.length).toBe(2);
    line.set(false);
    io.endOfInterrupt(0x50);
    expect(delivered.length).toBe(2);
  });

  it("unmasking a level-triggered pin that is high delivers it", () => {
    const { io, delivered, program } = ioApic();
    io.line(17).set(true);
    program(17, 0x51 | Redirection.LevelTriggered | Redirection.Masked);
    expect(delivered).toEqual([]);
    program(17, 0x51 | Redirection.LevelTriggered);
    expect(delivered).toEqual([[0x51, true]]);
  });

  it("rejects pins that do not exist", () => {
    const { io } = ioApic();
    expect(() => io.line(24)).toThrow(RangeError);
  });
});
