/**
 * The 16550 UART on COM1 as the console's wire: the kernel acquires its ports and its IRQ
 * through OSTD (neither is sensitive), enables the receive interrupt, and moves bytes
 * between the port and the tty device. Input is read in the top half (the FIFO must be
 * drained to clear the interrupt) and handed to the tty in a bottom half. A break on the line
 * (the board's signal that host input has ended) is reported separately.
 */

import { deferToBottomHalf, IoPort, IrqLine, unwrap } from "@asterism/ostd";

const COM1 = 0x3f8;
const COM1_IRQ = 4;
const Register = { Data: 0, InterruptEnable: 1, FifoControl: 2, LineControl: 3, ModemControl: 4, LineStatus: 5 } as const;
const LineStatus = { DataReady: 0x01, BreakInterrupt: 0x10, TransmitEmpty: 0x20 } as const;
const RECEIVE_INTERRUPT = 0x01;
const OUT2 = 0x08;
const MAX_DRAIN = 4096;

/** What one drain of the receive FIFO found: data bytes, and whether a break followed them. */
interface Received {
  readonly bytes: Uint8Array;
  readonly broke: boolean;
}

export class SerialPort {
  readonly #port: IoPort;
  readonly #irq: IrqLine;

  private constructor(port: IoPort, irq: IrqLine) {
    this.#port = port;
    this.#irq = irq;
  }

  /** Takes COM1's ports and interrupt line. */
  static open(): SerialPort {
    return new SerialPort(unwrap(IoPort.acquire(COM1, 8)), unwrap(IrqLine.forPin(COM1_IRQ)));
  }

  /**
   * Enables the receive interrupt and calls `onInput` with every chunk of received bytes,
   * and `onBreak` after the bytes that preceded a break.
   */
  listen(onInput: (bytes: Uint8Array) => void, onBreak: () => void = () => undefined): void {
    const deliver = ({ bytes, broke }: Received): void => {
      if (bytes.length > 0) onInput(bytes);
      if (broke) onBreak();
    };
    this.#irq.onActive(() => {
      const received = this.#drain();
      if (received.bytes.length > 0 || received.broke) deferToBottomHalf(() => { deliver(received); });
    });
    this.#port.write(Register.FifoControl, 1, 0x07);
    this.#port.write(Register.ModemControl, 1, OUT2 | 0x03);
    this.#port.write(Register.InterruptEnable, 1, RECEIVE_INTERRUPT);
    deliver(this.#drain());
  }

  write(bytes: Uint8Array): void {
    for (const byte of bytes) {
      for (let spins = 0; spins < 1000 && (this.#port.read(Register.LineStatus, 1) & LineStatus.TransmitEmpty) === 0; spins++);
      this.#port.write(Register.Data, 1, byte);
    }
  }

  #drain(): Received {
    const bytes: number[] = [];
    while (bytes.length < MAX_DRAIN) {
      const status = this.#port.read(Register.LineStatus, 1);
      if ((status & LineStatus.DataReady) === 0) break;
      const byte = this.#port.read(Register.Data, 1);
      if ((status & LineStatus.BreakInterrupt) !== 0) return { bytes: Uint8Array.from(bytes), broke: true };
      bytes.push(byte);
    }
    return { bytes: Uint8Array.from(bytes), broke: false };
  }
}
