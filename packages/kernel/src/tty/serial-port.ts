/**
 * The 16550 UART on COM1 as the console's wire: the kernel acquires its ports and its IRQ
 * through OSTD (neither is sensitive), enables the receive interrupt, and moves bytes
 * between the port and the tty device. Input is read in the top half (the FIFO must be
 * drained to clear the interrupt) and handed to the tty in a bottom half.
 */

import { deferToBottomHalf, IoPort, IrqLine, unwrap } from "@asterism/ostd";

const COM1 = 0x3f8;
const COM1_IRQ = 4;
const Register = { Data: 0, InterruptEnable: 1, FifoControl: 2, LineControl: 3, ModemControl: 4, LineStatus: 5 } as const;
const LineStatus = { DataReady: 0x01, TransmitEmpty: 0x20 } as const;
const RECEIVE_INTERRUPT = 0x01;
const OUT2 = 0x08;
const MAX_DRAIN = 4096;

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

  /** Enables the receive interrupt and calls `onInput` with every chunk of received bytes. */
  listen(onInput: (bytes: Uint8Array) => void): void {
    this.#irq.onActive(() => {
      const bytes = this.#drain();
      if (bytes.length > 0) deferToBottomHalf(() => { onInput(bytes); });
    });
    this.#port.write(Register.FifoControl, 1, 0x07);
    this.#port.write(Register.ModemControl, 1, OUT2 | 0x03);
    this.#port.write(Register.InterruptEnable, 1, RECEIVE_INTERRUPT);
    const early = this.#drain();
    if (early.length > 0) onInput(early);
  }

  write(bytes: Uint8Array): void {
    for (const byte of bytes) {
      for (let spins = 0; spins < 1000 && (this.#port.read(Register.LineStatus, 1) & LineStatus.TransmitEmpty) === 0; spins++);
      this.#port.write(Register.Data, 1, byte);
    }
  }

  #drain(): Uint8Array {
    const bytes: number[] = [];
    while (bytes.length < MAX_DRAIN && (this.#port.read(Register.LineStatus, 1) & LineStatus.DataReady) !== 0) {
      bytes.push(this.#port.read(Register.Data, 1));
    }
    return Uint8Array.from(bytes);
  }
}
