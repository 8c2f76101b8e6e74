/**
 * A 16550A UART (National Semiconductor datasheet) at COM1, I/O ports 0x3F8..0x3FF, IRQ 4:
 * the serial console a kernel can drive with eight port registers before it has PCI.
 *
 * Modelled: the divisor latch (DLAB), IER, IIR with the datasheet's interrupt priorities
 * (line status > received data > THR empty > modem status), FCR with the 16-byte receive FIFO,
 * LCR, MCR (OUT2 gates the IRQ line as on PC boards; loopback mode), LSR, MSR and the scratch
 * register. Transmission is instantaneous (THR is always empty again right after a write).
 * Host input waits in an unbounded queue and moves into the FIFO as the guest reads, as if
 * the host honoured flow control, so pasted text is never dropped. The character-timeout
 * interrupt is reported as "received data available".
 *
 * When host input ends (a pipe closes), the line goes into the break condition after the
 * last queued byte: as the datasheet describes, one zero character enters the FIFO with the
 * break-interrupt bit (LSR bit 4) set while it is at the head. A kernel can take that as end
 * of input.
 */

import type { IrqLine } from "../interrupts/io-apic.ts";

export const UartRegister = {
  Data: 0,
  InterruptEnable: 1,
  InterruptId: 2,
  FifoControl: 2,
  LineControl: 3,
  ModemControl: 4,
  LineStatus: 5,
  ModemStatus: 6,
  Scratch: 7,
} as const;

export const InterruptEnable = { ReceivedData: 1, TransmitterEmpty: 2, LineStatus: 4, ModemStatus: 8 } as const;
export const InterruptId = { None: 0x01, LineStatus: 0x06, ReceivedData: 0x04, TransmitterEmpty: 0x02, ModemStatus: 0x00, FifosEnabled: 0xc0 } as const;
export const LineStatus = { DataReady: 0x01, Overrun: 0x02, BreakInterrupt: 0x10, TransmitterHoldingEmpty: 0x20, TransmitterEmpty: 0x40 } as const;
export const ModemControl = { Dtr: 0x01, Rts: 0x02, Out1: 0x04, Out2: 0x08, Loopback: 0x10 } as const;
const LCR_DLAB = 0x80;
const FIFO_DEPTH = 16;
/** Marks the end of host input in the host queue: it becomes a break character. */
const BREAK = -1;

export class Uart16550 {
  private readonly irq: IrqLine;
  private readonly transmit: (byte: number) => void;
  private readonly fifo: number[] = [];
  /** FIFO position of the break character, or -1. */
  private breakAt = -1;
  private readonly hostQueue: number[] = [];
  private hostQueueHead = 0;
  private interruptEnable = 0;
  private lineControl = 0x03;
  private modemControl = 0;
  private scratch = 0;
  private divisor = 12;
  private fifoEnabled = false;
  private overrun = false;
  /** THRE interrupt condition: set when THR empties, cleared by an IIR read or a THR write. */
  private transmitterEmptyPending = true;

  constructor(irq: IrqLine, transmit: (byte: number) => void) {
    this.irq = irq;
    this.transmit = transmit;
  }

  /** Bytes from the host terminal for the guest to read. */
  receive(bytes: Uint8Array): void {
    for (const byte of bytes) this.hostQueue.push(byte);
    this.refill();
    this.updateIrq();
  }

  /** Host input has ended: a break follows the bytes still queued. */
  endOfInput(): void {
    this.hostQueue.push(BREAK);
    this.refill();
    this.updateIrq();
  }

  read(offset: number): number {
    const dlab = (this.lineControl & LCR_DLAB) !== 0;
    switch (offset & 7) {
      case UartRegister.Data:
        return dlab ? this.divisor & 0xff : this.readData();
      case UartRegister.InterruptEnable:
        return dlab ? (this.divisor >>> 8) & 0xff : this.interruptEnable;
      case UartRegister.InterruptId:
        return this.readInterruptId();
      case UartRegister.LineControl:
        return this.lineControl;
      case UartRegister.ModemControl:
        return this.modemControl;
      case UartRegister.LineStatus:
        return this.readLineStatus();
      case UartRegister.ModemStatus:
        return this.modemStatus();
      default:
        return this.scratch;
    }
  }

  write(offset: number, value: number): void {
    const byte = value & 0xff;
    const dlab = (this.lineControl & LCR_DLAB) !== 0;
    switch (offset & 7) {
      case UartRegister.Data:
        if (dlab) this.divisor = (this.divisor & 0xff00) | byte;
        else this.writeData(byte);
        break;
      case UartRegister.InterruptEnable:
        if (dlab) {
          this.divisor = (this.divisor & 0xff) | (byte << 8);
        } else {
          if ((byte & InterruptEnable.TransmitterEmpty) !== 0 && (this.interruptEnable & InterruptEnable.TransmitterEmpty) === 0) {
            this.transmitterEmptyPending = true;
          }
          this.interruptEnable = byte & 0x0f;
        }
        break;
      case UartRegister.FifoControl:
        this.writeFifoControl(byte);
        break;
      case UartRegister.LineControl:
        this.lineControl = byte;
        break;
      case UartRegister.ModemControl:
        this.modemControl = byte & 0x1f;
        break;
      case UartRegister.Scratch:
        this.scratch = byte;
        break;
      default:
        break;
    }
    this.updateIrq();
  }

  private readData(): number {
    const byte = this.fifo.shift() ?? 0;
    if (this.breakAt >= 0) this.breakAt--;
    this.refill();
    this.updateIrq();
    return byte;
  }

  private writeData(byte: number): void {
    this.transmitterEmptyPending = true;
    if ((this.modemControl & ModemControl.Loopback) !== 0) {
      if (this.fifo.length < this.capacity()) this.fifo.push(byte);
      else this.overrun = true;
    } else {
      this.transmit(byte);
    }
  }

  private writeFifoControl(byte: number): void {
    const enable = (byte & 1) !== 0;
    if (enable !== this.fifoEnabled || (byte & 2) !== 0) {
      this.fifo.length = 0;
      this.breakAt = -1;
    }
    this.fifoEnabled = enable;
    this.refill();
  }

  private readInterruptId(): number {
    const fifoBits = this.fifoEnabled ? InterruptId.FifosEnabled : 0;
    const source = this.interruptSource();
    if (source === InterruptId.TransmitterEmpty) {
      this.transmitterEmptyPending = false;
      this.updateIrq();
    }
    return source | fifoBits;
  }

  private readLineStatus(): number {
    let status = LineStatus.TransmitterHoldingEmpty | LineStatus.TransmitterEmpty;
    if (this.fifo.length > 0) status |= LineStatus.DataReady;
    if (this.breakAt === 0) status |= LineStatus.BreakInterrupt;
    if (this.overrun) status |= LineStatus.Overrun;
    this.overrun = false;
    this.updateIrq();
    return status;
  }

  private modemStatus(): number {
    if ((this.modemControl & ModemControl.Loopback) === 0) return 0xb0;
    const m = this.modemControl;
    return ((m & ModemControl.Rts) << 3) | ((m & ModemControl.Dtr) << 5) | ((m & ModemControl.Out1) << 4) | ((m & ModemControl.Out2) << 4);
  }

  /** The highest-priority pending interrupt as an IIR value, or `InterruptId.None`. */
  private interruptSource(): number {
    const enabled = this.interruptEnable;
    if ((enabled & InterruptEnable.LineStatus) !== 0 && this.overrun) return InterruptId.LineStatus;
    if ((enabled & InterruptEnable.ReceivedData) !== 0 && this.fifo.length > 0) return InterruptId.ReceivedData;
    if ((enabled & InterruptEnable.TransmitterEmpty) !== 0 && this.transmitterEmptyPending) return InterruptId.TransmitterEmpty;
    return InterruptId.None;
  }

  private updateIrq(): void {
    const gated = (this.modemControl & ModemControl.Out2) !== 0 && (this.modemControl & ModemControl.Loopback) === 0;
    this.irq.set(gated && this.interruptSource() !== InterruptId.None);
  }

  private capacity(): number {
    return this.fifoEnabled ? FIFO_DEPTH : 1;
  }

  private refill(): void {
    while (this.fifo.length < this.capacity() && this.hostQueueHead < this.hostQueue.length) {
      const next = this.hostQueue[this.hostQueueHead++] ?? 0;
      if (next === BREAK) this.breakAt = this.fifo.length;
      this.fifo.push(next === BREAK ? 0 : next);
    }
    if (this.hostQueueHead === this.hostQueue.length) {
      this.hostQueue.length = 0;
      this.hostQueueHead = 0;
    }
  }
}
