/**
 * The CMOS real-time clock (MC146818 as found in every PC) behind ports 0x70 (index, bit 7
 * = NMI disable) and 0x71 (data): how a kernel reads the wall-clock date at boot.
 *
 * The time registers (seconds, minutes, hours, weekday, day, month, year, century at 0x32)
 * are computed from the board clock's wall time at each read, in BCD or binary and 24- or
 * 12-hour format as register B asks. The update-in-progress flag is never set, because a
 * read is always consistent here. Alarms and the periodic interrupt (IRQ 8) are not
 * modelled: registers B and C read back, C is always 0. The other 114 bytes are plain
 * battery-backed RAM.
 */

export const CmosRegister = {
  Seconds: 0x00,
  Minutes: 0x02,
  Hours: 0x04,
  Weekday: 0x06,
  DayOfMonth: 0x07,
  Month: 0x08,
  Year: 0x09,
  StatusA: 0x0a,
  StatusB: 0x0b,
  StatusC: 0x0c,
  StatusD: 0x0d,
  Century: 0x32,
} as const;

export const StatusB = { TwentyFourHour: 0x02, BinaryMode: 0x04 } as const;
const STATUS_A_DEFAULT = 0x26;
const STATUS_D_VALID_RAM = 0x80;
const HOUR_PM = 0x80;

export class CmosRtc {
  private index = 0;
  private statusB: number = StatusB.TwentyFourHour;
  private readonly nvram = new Uint8Array(128);
  private readonly realtimeNs: () => number;

  constructor(realtimeNs: () => number) {
    this.realtimeNs = realtimeNs;
  }

  /** Port 0x70 (offset 0) or 0x71 (offset 1). */
  read(offset: number): number {
    if (offset === 0) return this.index;
    return this.readRegister(this.index);
  }

  write(offset: number, value: number): void {
    if (offset === 0) {
      this.index = value & 0x7f;
      return;
    }
    const byte = value & 0xff;
    if (this.index === CmosRegister.StatusB) this.statusB = byte;
    else if (this.index > CmosRegister.StatusD && this.index !== CmosRegister.Century) this.nvram[this.index] = byte;
  }

  private readRegister(index: number): number {
    const date = new Date(Math.floor(this.realtimeNs() / 1e6));
    switch (index) {
      case CmosRegister.Seconds:
        return this.encode(date.getUTCSeconds());
      case CmosRegister.Minutes:
        return this.encode(date.getUTCMinutes());
      case CmosRegister.Hours:
        return this.encodeHours(date.getUTCHours());
      case CmosRegister.Weekday:
        return this.encode(date.getUTCDay() + 1);
      case CmosRegister.DayOfMonth:
        return this.encode(date.getUTCDate());
      case CmosRegister.Month:
        return this.encode(date.getUTCMonth() + 1);
      case CmosRegister.Year:
        return this.encode(date.getUTCFullYear() % 100);
      case CmosRegister.Century:
        return this.encode(Math.floor(date.getUTCFullYear() / 100));
      case CmosRegister.StatusA:
        return STATUS_A_DEFAULT;
      case CmosRegister.StatusB:
        return this.statusB;
      case CmosRegister.StatusC:
        return 0;
      case CmosRegister.StatusD:
        return STATUS_D_VALID_RAM;
      default:
        return this.nvram[index] ?? 0;
    }
  }

  private encodeHours(hours: number): number {
    if ((this.statusB & StatusB.TwentyFourHour) !== 0) return this.encode(hours);
    const twelve = hours % 12 === 0 ? 12 : hours % 12;
    return this.encode(twelve) | (hours >= 12 ? HOUR_PM : 0);
  }

  private encode(value: number): number {
    if ((this.statusB & StatusB.BinaryMode) !== 0) return value;
    return ((Math.floor(value / 10) << 4) | (value % 10)) & 0xff;
  }
}
