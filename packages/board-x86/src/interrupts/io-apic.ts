/**
 * The I/O APIC (Intel 82093AA datasheet) at MMIO 0xFEC00000: 24 interrupt pins, each with a
 * redirection-table entry that says which vector the local APIC receives, whether the pin is
 * masked, and whether it is edge- or level-triggered.
 *
 * Devices do not know about vectors: each holds an `IrqLine` for its pin and sets it high or
 * low as its interrupt condition changes (the 16550 on ISA IRQ 4, the RTC on 8, PCI INTx
 * lines on 16 and up). Edge-triggered pins deliver on a rising edge; level-triggered pins
 * deliver while high, then wait for the local APIC's EOI (Remote IRR) before delivering again.
 * Only fixed delivery to the single CPU is modelled; destination fields read back as written.
 */

export const IO_APIC_PINS = 24;

/** Register window offsets from the I/O APIC base. */
export const IoApicWindow = { RegisterSelect: 0x00, Data: 0x10 } as const;

/** Indirect register indices. */
export const IoApicRegister = { Id: 0x00, Version: 0x01, Arbitration: 0x02, RedirectionBase: 0x10 } as const;

export const Redirection = {
  VectorMask: 0xff,
  DeliveryStatus: 1 << 12,
  ActiveLow: 1 << 13,
  RemoteIrr: 1 << 14,
  LevelTriggered: 1 << 15,
  Masked: 1 << 16,
} as const;

/** Version 0x11 with 24 redirection entries (max index 23). */
const VERSION_VALUE = ((IO_APIC_PINS - 1) << 16) | 0x11;

/** One interrupt pin as a device sees it. */
export interface IrqLine {
  /** Drives the pin high (interrupt condition present) or low. */
  set(high: boolean): void;
}

export class IoApic {
  private selected = 0;
  private id = 0;
  private readonly low = new Uint32Array(IO_APIC_PINS).fill(Redirection.Masked);
  private readonly high = new Uint32Array(IO_APIC_PINS);
  private readonly levels = new Uint8Array(IO_APIC_PINS);
  private readonly deliver: (vector: number, level: boolean) => void;

  constructor(deliver: (vector: number, level: boolean) => void) {
    this.deliver = deliver;
  }

  line(pin: number): IrqLine {
    if (!Number.isInteger(pin) || pin < 0 || pin >= IO_APIC_PINS) {
      throw new RangeError(`I/O APIC: no pin ${String(pin)}`);
    }
    return { set: (high: boolean) => { this.setPin(pin, high); } };
  }

  /** The local APIC's EOI of a level-triggered vector: clears Remote IRR on its pins. */
  endOfInterrupt(vector: number): void {
    for (let pin = 0; pin < IO_APIC_PINS; pin++) {
      const entry = this.low[pin] ?? 0;
      if ((entry & Redirection.VectorMask) === vector && (entry & Redirection.RemoteIrr) !== 0) {
        this.low[pin] = entry & ~Redirection.RemoteIrr;
        this.evaluateLevel(pin);
      }
    }
  }

  read(offset: number): number {
    if (offset === IoApicWindow.RegisterSelect) return this.selected;
    if (offset !== IoApicWindow.Data) return 0;
    const register = this.selected;
    if (register === IoApicRegister.Id) return this.id;
    if (register === IoApicRegister.Version) return VERSION_VALUE;
    if (register === IoApicRegister.Arbitration) return this.id;
    const pin = (register - IoApicRegister.RedirectionBase) >>> 1;
    if (register < IoApicRegister.RedirectionBase || pin >= IO_APIC_PINS) return 0;
    return ((register & 1) === 0 ? this.low[pin] : this.high[pin]) ?? 0;
  }

  write(offset: number, value: number): void {
    if (offset === IoApicWindow.RegisterSelect) {
      this.selected = value & 0xff;
      return;
    }
    if (offset !== IoApicWindow.Data) return;
    const register = this.selected;
    if (register === IoApicRegister.Id) {
      this.id = value & 0x0f00_0000;
      return;
    }
    const pin = (register - IoApicRegister.RedirectionBase) >>> 1;
    if (register < IoApicRegister.RedirectionBase || pin >= IO_APIC_PINS) return;
    if ((register & 1) === 1) {
      this.high[pin] = value & 0xff00_0000;
      return;
    }
    const readOnly = Redirection.DeliveryStatus | Redirection.RemoteIrr;
    const previous = this.low[pin] ?? 0;
    this.low[pin] = ((value & ~readOnly) | (previous & readOnly)) >>> 0;
    if ((value & Redirection.LevelTriggered) === 0) this.low[pin] = (this.low[pin] ?? 0) & ~Redirection.RemoteIrr;
    this.evaluateLevel(pin);
  }

  private setPin(pin: number, high: boolean): void {
    const wasHigh = this.levels[pin] === 1;
    this.levels[pin] = high ? 1 : 0;
    const entry = this.low[pin] ?? 0;
    if ((entry & Redirection.LevelTriggered) !== 0) {
      this.evaluateLevel(pin);
    } else if (high && !wasHigh && (entry & Redirection.Masked) === 0) {
      this.deliver(entry & Redirection.VectorMask, false);
    }
  }

  /** A level-triggered pin delivers while high, unmasked, and not awaiting an EOI. */
  private evaluateLevel(pin: number): void {
    const entry = this.low[pin] ?? 0;
    if ((entry & Redirection.LevelTriggered) === 0 || this.levels[pin] !== 1) return;
    if ((entry & (Redirection.Masked | Redirection.RemoteIrr)) !== 0) return;
    this.low[pin] = (entry | Redirection.RemoteIrr) >>> 0;
    this.deliver(entry & Redirection.VectorMask, true);
  }
}
