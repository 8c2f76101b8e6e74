import { describe, expect, it } from "vitest";
import { CmosRegister, CmosRtc } from "../../src/devices/cmos-rtc.ts";
import { InterruptEnable, InterruptId, LineStatus, ModemControl, Uart16550, UartRegister as U } from "../../src/devices/uart-16550.ts";

function uart() {
  const sent: number[] = [];
  const irq = { high: false, edges: 0 };
  const device = new Uart16550({ set: (high) => { if (high && !irq.high) irq.edges++; irq.high = high; } }, (byte) => sent.push(byte));
  return { device, sent, irq };
}

describe("16550 UART", () => {
  it("transmits THR writes and always reports the transmitter empty", () => {
    const { device, sent } = uart();
    device.write(U.Data, 0x41);
    device.write(U.Data, 0x42);
    expect(sent).toEqual([0x41, 0x42]);
    expect(device.read(U.LineStatus) & (LineStatus.TransmitterHoldingEmpty | LineStatus.TransmitterEmpty)).toBe(0x60);
  });

  it("DLAB switches offsets 0 and 1 to the divisor latch", () => {
    const { device, sent } = uart();
    device.write(U.LineControl, 0x83);
    device.write(U.Data, 0x01);
    device.write(U.InterruptEnable, 0x00);
    expect(device.read(U.Data)).toBe(1);
    expect(device.read(U.InterruptEnable)).toBe(0);
    device.write(U.LineControl, 0x03);
    expect(sent).toEqual([]);
  });

  it("receives host input through the FIFO with data-ready and the RX interrupt", () => {
    const { device, irq } = uart();
    device.write(U.FifoControl, 0x07);
    device.write(U.ModemControl, ModemControl.Out2);
    device.write(U.InterruptEnable, InterruptEnable.ReceivedData);
    expect(device.read(U.InterruptId)).toBe(InterruptId.None | InterruptId.FifosEnabled);
    device.receive(new TextEncoder().encode("hi"));
    expect(irq.high).toBe(true);
    expect(device.read(U.InterruptId)).toBe(InterruptId.ReceivedData | InterruptId.FifosEnabled);
    expect(device.read(U.LineStatus) & LineStatus.DataReady).toBe(1);
    expect(device.read(U.Data)).toBe(0x68);
    expect(device.read(U.Data)).toBe(0x69);
    expect(device.read(U.LineStatus) & LineStatus.DataReady).toBe(0);
    expect(irq.high).toBe(false);
  });

  it("never drops pasted input: it waits on the host side of a full FIFO", () => {
    const { device } = uart();
    device.write(U.FifoControl, 0x01);
    const text = "x".repeat(100);
    device.receive(new TextEncoder().encode(text));
    let read = "";
    while ((device.read(U.LineStatus) & LineStatus.DataReady) !== 0) read += String.fromCharCode(device.read(U.Data));
    expect(read).toBe(text);
  });

  it("THRE interrupt: raised when enabled, cleared by reading IIR, raised again by a THR write", () => {
    const { device, irq } = uart();
    device.write(U.ModemControl, ModemControl.Out2);
    device.write(U.InterruptEnable, InterruptEnable.TransmitterEmpty);
    expect(irq.high).toBe(true);
    expect(device.read(U.InterruptId)).toBe(InterruptId.TransmitterEmpty);
    expect(irq.high).toBe(false);
    expect(device.read(U.InterruptId)).toBe(InterruptId.None);
    device.write(U.Data, 0x20);
    expect(irq.high).toBe(true);
  });

  it("received data outranks THR empty; OUT2 gates the IRQ line", () => {
    const { device, irq } = uart();
    device.write(U.InterruptEnable, InterruptEnable.TransmitterEmpty | InterruptEnable.ReceivedData);
    device.receive(Uint8Array.of(1));
    expect(irq.high).toBe(false);
    expect(device.read(U.InterruptId)).toBe(InterruptId.ReceivedData);
    device.write(U.ModemControl, ModemControl.Out2);
    expect(irq.high).toBe(true);
  });

  it("loopback mode feeds THR back into RBR and never reaches the host", () => {
    const { device, sent } = uart();
    device.write(U.ModemControl, ModemControl.Loopback);
    device.write(U.Data, 0x55);
    expect(sent).toEqual([]);
    expect(device.read(U.Data)).toBe(0x55);
  });

  it("the scratch register holds a byte", () => {
    const { device } = uart();
    device.write(U.Scratch, 0x1a5);
    expect(device.read(U.Scratch)).toBe(0xa5);
  });
});

describe("CMOS RTC", () => {
  const at = Date.UTC(2026, 10, 22, 15, 4, 59) * 1e6;
  function read(rtc: CmosRtc, register: number): number {
    rtc.write(0, register | 0x80);
    return rtc.read(1);
  }

  it("reports the wall clock in BCD, 24-hour mode by default", () => {
    const rtc = new CmosRtc(() => at);
    expect(read(rtc, CmosRegister.Seconds)).toBe(0x59);
    expect(read(rtc, CmosRegister.Minutes)).toBe(0x04);
    expect(read(rtc, CmosRegister.Hours)).toBe(0x15);
    expect(read(rtc, CmosRegister.DayOfMonth)).toBe(0x22);
    expect(read(rtc, CmosRegister.Month)).toBe(0x11);
    expect(read(rtc, CmosRegister.Year)).toBe(0x26);
    expect(read(rtc, CmosRegister.Century)).toBe(0x20);
    expect(read(rtc, CmosRegister.Weekday)).toBe(1);
    expect(read(rtc, CmosRegister.StatusA) & 0x80).toBe(0);
  });

  it("switches to binary and 12-hour mode through register B", () => {
    const rtc = new CmosRtc(() => at);
    rtc.write(0, CmosRegister.StatusB);
    rtc.write(1, 0x04);
    expect(read(rtc, CmosRegister.Hours)).toBe(0x80 | 3);
    expect(read(rtc, CmosRegister.Seconds)).toBe(59);
  });

  it("keeps the rest as battery-backed RAM", () => {
    const rtc = new CmosRtc(() => at);
    rtc.write(0, 0x40);
    rtc.write(1, 0x99);
    expect(read(rtc, 0x40)).toBe(0x99);
  });
});
