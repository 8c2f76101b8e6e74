/**
 * Lazy arithmetic flags: the bottom layer of the CPU core's state.
 *
 * Almost every integer instruction defines CF/PF/AF/ZF/SF/OF, but almost none of those flags
 * are ever read: the next instruction usually overwrites them. So an instruction only records
 * what it did (kind, operand size, both inputs and the result, as lo/hi int32 halves) and the
 * flags are computed when `jcc`, `setcc`, `pushf`, a syscall, ... actually read them. Rare
 * instructions whose flag rules are irregular (shifts, multiplies, bit tests) compute their
 * flags eagerly and record them with `FlagKind.Eager`.
 */

/** What the last flag-setting instruction was. */
export const FlagKind = {
  Add: 0,
  Adc: 1,
  Sub: 2,
  Sbb: 3,
  Logic: 4,
  Inc: 5,
  Dec: 6,
  Eager: 7,
} as const;
export type FlagKind = (typeof FlagKind)[keyof typeof FlagKind];

/** RFLAGS bits (Intel SDM vol. 1, 3.4.3). */
export const Flag = {
  CF: 0x1,
  PF: 0x4,
  AF: 0x10,
  ZF: 0x40,
  SF: 0x80,
  TF: 0x100,
  IF: 0x200,
  DF: 0x400,
  OF: 0x800,
  AC: 0x40000,
  ID: 0x200000,
} as const;

/** The six arithmetic flags. */
export const ARITHMETIC_FLAGS = 0x8d5;
/** Flags ring-3 code may change with POPF: arithmetic, DF, TF, AC, ID (IF/IOPL are ignored at CPL 3). */
export const USER_WRITABLE_FLAGS = ARITHMETIC_FLAGS | Flag.DF | Flag.TF | Flag.AC | Flag.ID;

const PARITY = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  let bits = i;
  bits ^= bits >> 4;
  bits ^= bits >> 2;
  bits ^= bits >> 1;
  PARITY[i] = (bits & 1) === 0 ? Flag.PF : 0;
}

/** Sign bit of a value of `size` bytes held as lo/hi halves. */
function signBit(size: number, lo: number, hi: number): number {
  if (size === 8) return hi >>> 31;
  return (lo >>> (size * 8 - 1)) & 1;
}

/** Unsigned `a < b` for `size`-byte values (lo/hi halves). */
function below(size: number, aLo: number, aHi: number, bLo: number, bHi: number): boolean {
  if (size === 8) {
    if (aHi !== bHi) return aHi >>> 0 < bHi >>> 0;
    return aLo >>> 0 < bLo >>> 0;
  }
  if (size === 4) return aLo >>> 0 < bLo >>> 0;
  const mask = size === 1 ? 0xff : 0xffff;
  return (aLo & mask) < (bLo & mask);
}

function equal(size: number, aLo: number, aHi: number, bLo: number, bHi: number): boolean {
  if (size === 8) return aLo === bLo && aHi === bHi;
  if (size === 4) return aLo === bLo;
  const mask = size === 1 ? 0xff : 0xffff;
  return (aLo & mask) === (bLo & mask);
}

export class LazyFlags {
  flagKind: FlagKind = FlagKind.Eager;
  flagSize = 4;
  resLo = 0;
  resHi = 0;
  srcALo = 0;
  srcAHi = 0;
  srcBLo = 0;
  srcBHi = 0;
  /** Carry-in of ADC/SBB, or the preserved CF of INC/DEC. */
  carryIn = 0;
  /** The arithmetic flags when `flagKind` is Eager. */
  eagerFlags = 0;
  /** Every RFLAGS bit that is not an arithmetic flag (DF, IF, TF, AC, ID, bit 1). */
  controlFlags = 0x202;

  /** Records an arithmetic result for later flag evaluation. */
  recordFlags(
    kind: FlagKind,
    size: number,
    aLo: number,
    aHi: number,
    bLo: number,
    bHi: number,
    rLo: number,
    rHi: number,
  ): void {
    this.flagKind = kind;
    this.flagSize = size;
    this.srcALo = aLo;
    this.srcAHi = aHi;
    this.srcBLo = bLo;
    this.srcBHi = bHi;
    this.resLo = rLo;
    this.resHi = rHi;
  }

  /** Records a logic-instruction result (CF = OF = 0). */
  recordLogic(size: number, rLo: number, rHi: number): void {
    this.flagKind = FlagKind.Logic;
    this.flagSize = size;
    this.resLo = rLo;
    this.resHi = rHi;
  }

  /** Flags of a shift: SF, ZF and PF from the `size`-byte result, CF and OF as given, AF clear. */
  recordShift(size: number, lo: number, hi: number, carry: number, overflow: number): void {
    this.setEagerFlags(resultFlags(size, lo, hi) | carry | (overflow << 11));
  }

  /** Flags of a rotate: CF and OF as given, the other four unchanged. */
  recordRotate(carry: number, overflow: number): void {
    this.setEagerFlags((this.arithmeticFlags() & ~(Flag.CF | Flag.OF)) | carry | (overflow << 11));
  }

  /** Sets all six arithmetic flags at once. */
  setEagerFlags(bits: number): void {
    this.flagKind = FlagKind.Eager;
    this.eagerFlags = bits & ARITHMETIC_FLAGS;
  }

  getCF(): number {
    const a = this.srcALo;
    const ah = this.srcAHi;
    const size = this.flagSize;
    switch (this.flagKind) {
      case FlagKind.Add:
        return below(size, this.resLo, this.resHi, a, ah) ? 1 : 0;
      case FlagKind.Adc:
        return below(size, this.resLo, this.resHi, a, ah) ||
          (this.carryIn !== 0 && equal(size, this.resLo, this.resHi, a, ah))
          ? 1
          : 0;
      case FlagKind.Sub:
        return below(size, a, ah, this.srcBLo, this.srcBHi) ? 1 : 0;
      case FlagKind.Sbb:
        return below(size, a, ah, this.srcBLo, this.srcBHi) ||
          (this.carryIn !== 0 && equal(size, a, ah, this.srcBLo, this.srcBHi))
          ? 1
          : 0;
      case FlagKind.Logic:
        return 0;
      case FlagKind.Inc:
      case FlagKind.Dec:
        return this.carryIn;
      default:
        return this.eagerFlags & Flag.CF;
    }
  }

  getZF(): number {
    if (this.flagKind === FlagKind.Eager) return (this.eagerFlags >> 6) & 1;
    const size = this.flagSize;
    if (size === 8) return (this.resLo | this.resHi) === 0 ? 1 : 0;
    if (size === 4) return this.resLo === 0 ? 1 : 0;
    return (this.resLo & (size === 1 ? 0xff : 0xffff)) === 0 ? 1 : 0;
  }

  getSF(): number {
    if (this.flagKind === FlagKind.Eager) return (this.eagerFlags >> 7) & 1;
    return signBit(this.flagSize, this.resLo, this.resHi);
  }

  getPF(): number {
    if (this.flagKind === FlagKind.Eager) return (this.eagerFlags >> 2) & 1;
    return (PARITY[this.resLo & 0xff] ?? 0) >> 2;
  }

  getAF(): number {
    switch (this.flagKind) {
      case FlagKind.Logic:
        return 0;
      case FlagKind.Eager:
        return (this.eagerFlags >> 4) & 1;
      case FlagKind.Inc:
      case FlagKind.Dec:
        return ((this.srcALo ^ 1 ^ this.resLo) >> 4) & 1;
      default:
        return ((this.srcALo ^ this.srcBLo ^ this.resLo) >> 4) & 1;
    }
  }

  getOF(): number {
    const size = this.flagSize;
    switch (this.flagKind) {
      case FlagKind.Add:
      case FlagKind.Adc:
        return signBit(
          size,
          (this.srcALo ^ this.resLo) & (this.srcBLo ^ this.resLo),
          (this.srcAHi ^ this.resHi) & (this.srcBHi ^ this.resHi),
        );
      case FlagKind.Sub:
      case FlagKind.Sbb:
        return signBit(
          size,
          (this.srcALo ^ this.srcBLo) & (this.srcALo ^ this.resLo),
          (this.srcAHi ^ this.srcBHi) & (this.srcAHi ^ this.resHi),
        );
      case FlagKind.Inc:
        return signBit(size, ~this.srcALo & this.resLo, ~this.srcAHi & this.resHi);
      case FlagKind.Dec:
        return signBit(size, this.srcALo & ~this.resLo, this.srcAHi & ~this.resHi);
      case FlagKind.Logic:
        return 0;
      default:
        return (this.eagerFlags >> 11) & 1;
    }
  }

  /** The six arithmetic flags as RFLAGS bits. */
  arithmeticFlags(): number {
    if (this.flagKind === FlagKind.Eager) return this.eagerFlags;
    return (
      this.getCF() |
      (this.getPF() << 2) |
      (this.getAF() << 4) |
      (this.getZF() << 6) |
      (this.getSF() << 7) |
      (this.getOF() << 11)
    );
  }

  /** The whole RFLAGS value. */
  readFlags(): number {
    return this.arithmeticFlags() | this.controlFlags;
  }

  /** Loads a whole RFLAGS value (bit 1 forced on, reserved bits dropped). */
  writeFlags(value: number): void {
    this.setEagerFlags(value);
    this.controlFlags = (value & ~ARITHMETIC_FLAGS & (USER_WRITABLE_FLAGS | Flag.IF)) | 2;
  }

  /** Evaluates condition code `cc` (the low nibble of Jcc/SETcc/CMOVcc). */
  condition(cc: number): boolean {
    if (this.flagKind === FlagKind.Sub && this.flagSize >= 4 && cc >= 2 && cc !== 8 && cc !== 9 && cc !== 10 && cc !== 11) {
      return this.conditionAfterCompare(cc);
    }
    return this.conditionFromFlags(cc);
  }

  /** CMP/SUB followed by a condition: compare the recorded operands directly (no flag bits). */
  private conditionAfterCompare(cc: number): boolean {
    let aHigh: number;
    let bHigh: number;
    let aLow: number;
    let bLow: number;
    if (this.flagSize === 8) {
      aHigh = this.srcAHi;
      bHigh = this.srcBHi;
      aLow = this.srcALo >>> 0;
      bLow = this.srcBLo >>> 0;
    } else {
      aHigh = this.srcALo;
      bHigh = this.srcBLo;
      aLow = 0;
      bLow = 0;
    }
    let result: boolean;
    switch (cc >> 1) {
      case 1:
        result = aHigh !== bHigh ? aHigh >>> 0 < bHigh >>> 0 : aLow < bLow;
        break;
      case 2:
        result = aHigh === bHigh && aLow === bLow;
        break;
      case 3:
        result = aHigh !== bHigh ? aHigh >>> 0 < bHigh >>> 0 : aLow <= bLow;
        break;
      case 6:
        result = aHigh !== bHigh ? aHigh < bHigh : aLow < bLow;
        break;
      default:
        result = aHigh !== bHigh ? aHigh < bHigh : aLow <= bLow;
        break;
    }
    return (cc & 1) === 0 ? result : !result;
  }

  private conditionFromFlags(cc: number): boolean {
    let result: boolean;
    switch (cc >> 1) {
      case 0:
        result = this.getOF() !== 0;
        break;
      case 1:
        result = this.getCF() !== 0;
        break;
      case 2:
        result = this.getZF() !== 0;
        break;
      case 3:
        result = (this.getCF() | this.getZF()) !== 0;
        break;
      case 4:
        result = this.getSF() !== 0;
        break;
      case 5:
        result = this.getPF() !== 0;
        break;
      case 6:
        result = this.getSF() !== this.getOF();
        break;
      default:
        result = this.getZF() !== 0 || this.getSF() !== this.getOF();
        break;
    }
    return (cc & 1) === 0 ? result : !result;
  }
}

/** Computes SF/ZF/PF of a result of `size` bytes (lo/hi halves) as RFLAGS bits. */
export function resultFlags(size: number, lo: number, hi: number): number {
  let zero: boolean;
  let sign: number;
  if (size === 8) {
    zero = (lo | hi) === 0;
    sign = hi >>> 31;
  } else {
    const masked = size === 4 ? lo : lo & (size === 1 ? 0xff : 0xffff);
    zero = masked === 0;
    sign = (masked >>> (size * 8 - 1)) & 1;
  }
  return (zero ? Flag.ZF : 0) | (sign !== 0 ? Flag.SF : 0) | parityFlag(lo);
}

/** PF for the low byte of a value, as an RFLAGS bit. */
export function parityFlag(value: number): number {
  return PARITY[value & 0xff] ?? 0;
}
