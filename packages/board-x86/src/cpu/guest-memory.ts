/**
 * Guest memory as the CPU core sees it: every access goes through the MMU's `translate`
 * (with a small direct-mapped read TLB and write TLB in front of it), and exceptions end the
 * current instruction.
 *
 * A page-crossing access translates every page it touches before it writes anything, so a
 * fault leaves memory and registers as they were. Faults are raised by throwing the single
 * preallocated `CPU_EXCEPTION` token, which `X86Core.run` catches outside the hot loop.
 */

import { Access, type AddressTranslator } from "../cpu-wiring.ts";
import { ExceptionVector } from "../machine.ts";
import { X86Context } from "./context.ts";
import { LazyFlags } from "./lazy-flags.ts";

/** The signal that ends an instruction with an exception; the details are in the core. */
export class CpuExceptionSignal extends Error {
  constructor() {
    super("x86 exception (see exceptionVector)");
    this.name = "CpuExceptionSignal";
  }
}

/** Thrown (as this one object, never allocated per fault) to end the current instruction. */
export const CPU_EXCEPTION = new CpuExceptionSignal();

export const TWO_POW_32 = 4294967296;
export const TWO_POW_64 = TWO_POW_32 * TWO_POW_32;

/** The unsigned 64-bit value of int32 halves, as a double (exact below 2^53). */
export function unsignedOf(low: number, high: number): number {
  return (high >>> 0) * TWO_POW_32 + (low >>> 0);
}

/**
 * A 64-bit value held as a signed double (register reads, address sums) as its unsigned
 * value: upper-half (kernel) addresses arrive negative.
 */
export function wrapUnsigned(value: number): number {
  return value < 0 ? value + TWO_POW_64 : value;
}

/** Entries of each data TLB (a power of two). */
export const TLB_ENTRIES = 256;
/** Int32s per TLB slot, and their meaning. */
export const TLB_SLOT_SIZE = 6;
export const TlbField = { readTagLow: 0, readTagHigh: 1, readFrame: 2, writeTagLow: 3, writeTagHigh: 4, writeFrame: 5 } as const;
/** A tag no page address equals (page addresses have their low 12 bits clear). */
const EMPTY_TAG = 1;
/** Clears the offset-in-page bits of an int32 address half. */
const PAGE_MASK = -4096;

export class GuestMemory extends LazyFlags {
  readonly ram: Uint8Array;
  readonly view: DataView;
  readonly mmu: AddressTranslator;
  /** The register file being executed (its XMM slots are the SSE load/store targets). */
  ctx: X86Context = new X86Context();

  /** High half of the last 64-bit value returned by a read helper. */
  valHi = 0;

  exceptionVector = 0;
  errorCode = 0;
  faultAddress = 0;

  /**
   * A direct-mapped data TLB in front of the MMU's, one for reads and one for writes, indexed
   * by bits 12-19 of the virtual address. Each slot holds six int32s (`TlbField`): the read
   * entry's tag (the page address as low and high halves) and frame (RAM index), then the
   * write entry's. One array, so translated code (jit/) probes it inline with a single
   * reference. `flushDataTranslations` empties it; a frame that holds translated code never
   * enters the write side, so every store to it reaches `translateSlow`, which invalidates
   * the code.
   */
  readonly tlb = new Int32Array(TLB_ENTRIES * TLB_SLOT_SIZE);

  /** One byte per 4 KiB frame of RAM: 1 when translated code was decoded from it. */
  readonly codeFrames: Uint8Array;
  /** Advanced whenever translated code may have gone stale (a store to a code frame, ...). */
  codeEpoch = 1;

  constructor(ram: Uint8Array, mmu: AddressTranslator) {
    super();
    for (let base = 0; base < this.tlb.length; base += TLB_SLOT_SIZE) {
      this.tlb[base + TlbField.readTagLow] = EMPTY_TAG;
      this.tlb[base + TlbField.writeTagLow] = EMPTY_TAG;
    }
    this.ram = ram;
    this.mmu = mmu;
    this.view = new DataView(ram.buffer, ram.byteOffset, ram.byteLength);
    this.codeFrames = new Uint8Array(Math.ceil(ram.length / 4096));
  }

  /** Ends the current instruction with exception `vector`. */
  raise(vector: number, errorCode = 0): never {
    this.exceptionVector = vector;
    this.errorCode = errorCode;
    throw CPU_EXCEPTION;
  }

  /** Raises the fault the MMU recorded for the failed translation. */
  raiseTranslationFault(): never {
    this.exceptionVector = this.mmu.faultVector;
    this.errorCode = this.mmu.faultErrorCode;
    this.faultAddress = this.mmu.faultAddress;
    throw CPU_EXCEPTION;
  }

  undefinedOpcode(): never {
    return this.raise(ExceptionVector.InvalidOpcode);
  }

  /** TLB slots filled since the last flush (a flush clears only these, unless there were many). */
  private readonly filledSlots = new Int32Array(TLB_ENTRIES);
  private filledCount = 0;

  /** Forgets the cached data pages. */
  flushDataTranslations(): void {
    const tlb = this.tlb;
    const everything = this.filledCount >= TLB_ENTRIES;
    const count = everything ? TLB_ENTRIES : this.filledCount;
    for (let i = 0; i < count; i++) {
      const base = (everything ? i : (this.filledSlots[i] ?? 0)) * TLB_SLOT_SIZE;
      tlb[base + TlbField.readTagLow] = EMPTY_TAG;
      tlb[base + TlbField.writeTagLow] = EMPTY_TAG;
    }
    this.filledCount = 0;
  }

  /**
   * Records that code was decoded from the frame at RAM index `frame`: from now on stores to
   * it take the slow path (its write-TLB entries are dropped) and invalidate the code.
   */
  markCodeFrame(frame: number): void {
    const number = frame >>> 12;
    if (this.codeFrames[number] === 1) return;
    this.codeFrames[number] = 1;
    const tlb = this.tlb;
    for (let base = 0; base < tlb.length; base += TLB_SLOT_SIZE) {
      if (tlb[base + TlbField.writeFrame] === frame) tlb[base + TlbField.writeTagLow] = EMPTY_TAG;
    }
  }

  /** Translates `address` for an access of `size` bytes that stays within one page. */
  translateRange(address: number, access: Access, size: number): number {
    return this.translate(address, access, size);
  }

  private translate(address: number, access: Access, size: number): number {
    const low = address | 0;
    const high = Math.floor(address / TWO_POW_32) | 0;
    const tag = low & PAGE_MASK;
    const base = ((low >>> 12) & (TLB_ENTRIES - 1)) * TLB_SLOT_SIZE;
    const tlb = this.tlb;
    if (access === Access.Read) {
      if (tlb[base + TlbField.readTagLow] === tag && tlb[base + TlbField.readTagHigh] === high) {
        return (tlb[base + TlbField.readFrame] ?? 0) + (low & 0xfff);
      }
    } else if (access === Access.Write && tlb[base + TlbField.writeTagLow] === tag && tlb[base + TlbField.writeTagHigh] === high) {
      return (tlb[base + TlbField.writeFrame] ?? 0) + (low & 0xfff);
    }
    return this.translateSlow(address, access, size);
  }

  /** Asks the MMU, then remembers the page in the TLB of that access kind. */
  private translateSlow(address: number, access: Access, size: number): number {
    const physical = this.mmu.translate(wrapUnsigned(address), access);
    if (physical < 0) this.raiseTranslationFault();
    if (physical > this.ram.length - size) this.raise(ExceptionVector.GeneralProtection);
    const offset = address & 0xfff;
    const frame = physical - offset;
    if (access === Access.Write && this.codeFrames[frame >>> 12] === 1) {
      this.codeFrames[frame >>> 12] = 0;
      this.codeEpoch++;
    }
    if (frame + 4096 <= this.ram.length && access !== Access.Execute) {
      const low = address | 0;
      const slot = (low >>> 12) & (TLB_ENTRIES - 1);
      const high = Math.floor(address / TWO_POW_32) | 0;
      if (this.filledCount < TLB_ENTRIES) this.filledSlots[this.filledCount] = slot;
      this.filledCount++;
      const tlb = this.tlb;
      const base = slot * TLB_SLOT_SIZE;
      tlb[base + TlbField.readTagLow] = low & PAGE_MASK;
      tlb[base + TlbField.readTagHigh] = high;
      tlb[base + TlbField.readFrame] = frame;
      if (access === Access.Write) {
        tlb[base + TlbField.writeTagLow] = low & PAGE_MASK;
        tlb[base + TlbField.writeTagHigh] = high;
        tlb[base + TlbField.writeFrame] = frame;
      }
    }
    return physical;
  }

  /** A read of `size` bytes at the address with int32 halves `low`/`high` (translated code's slow path). */
  readSplit(size: number, low: number, high: number, access: Access): number {
    return this.readMemory(size, unsignedOf(low, high), access);
  }

  /** A write of `size` bytes at the address with int32 halves `low`/`high` (translated code's slow path). */
  writeSplit(size: number, low: number, high: number, valueLow: number, valueHigh: number): void {
    this.writeMemory(size, unsignedOf(low, high), valueLow, valueHigh);
  }

  /** Reads `size` bytes (1, 2, 4, 8) at `address`; for size 8 the high half goes to `valHi`. */
  readMemory(size: number, address: number, access: Access = Access.Read): number {
    if ((address & 0xfff) > 4096 - size) return this.readAcrossPages(size, address, access);
    const physical = this.translate(address, access, size);
    switch (size) {
      case 1:
        return this.ram[physical] ?? 0;
      case 2:
        return this.view.getUint16(physical, true);
      case 4:
        return this.view.getInt32(physical, true);
      default:
        this.valHi = this.view.getInt32(physical + 4, true);
        return this.view.getInt32(physical, true);
    }
  }

  read8(address: number): number {
    return this.ram[this.translate(address, Access.Read, 1)] ?? 0;
  }

  read32(address: number): number {
    return this.readMemory(4, address, Access.Read);
  }

  private readAcrossPages(size: number, address: number, access: Access): number {
    let low = 0;
    let high = 0;
    for (let i = 0; i < size; i++) {
      const byte = this.ram[this.translate(address + i, access, 1)] ?? 0;
      if (i < 4) low |= byte << (8 * i);
      else high |= byte << (8 * (i - 4));
    }
    this.valHi = high;
    return size === 4 || size === 8 ? low : low >>> 0;
  }

  writeMemory(size: number, address: number, low: number, high: number): void {
    if ((address & 0xfff) > 4096 - size) {
      this.writeAcrossPages(size, address, low, high);
      return;
    }
    const physical = this.translate(address, Access.Write, size);
    switch (size) {
      case 1:
        this.ram[physical] = low;
        return;
      case 2:
        this.view.setUint16(physical, low & 0xffff, true);
        return;
      case 4:
        this.view.setInt32(physical, low, true);
        return;
      default:
        this.view.setInt32(physical, low, true);
        this.view.setInt32(physical + 4, high, true);
    }
  }

  write8(address: number, value: number): void {
    this.ram[this.translate(address, Access.Write, 1)] = value;
  }

  private writeAcrossPages(size: number, address: number, low: number, high: number): void {
    const firstPageBytes = 4096 - (address & 0xfff);
    const first = this.translate(address, Access.Write, firstPageBytes);
    const second = this.translate(address + firstPageBytes, Access.Write, size - firstPageBytes);
    for (let i = 0; i < size; i++) {
      const byte = i < 4 ? low >>> (8 * i) : high >>> (8 * (i - 4));
      this.ram[i < firstPageBytes ? first + i : second + i - firstPageBytes] = byte & 0xff;
    }
  }

  /** `read128` at the address with int32 halves `low`/`high` (translated code's slow path). */
  read128Split(low: number, high: number, slot: number): void {
    this.read128(unsignedOf(low, high), slot);
  }

  /** `write128` at the address with int32 halves `low`/`high` (translated code's slow path). */
  write128Split(low: number, high: number, slot: number): void {
    this.write128(unsignedOf(low, high), slot);
  }

  /** Loads 16 bytes at `address` into XMM slot `slot` (allocation-free; the SSE load path). */
  read128(address: number, slot: number): void {
    const lanes = this.ctx.xmmInt32;
    const index = slot * 4;
    if ((address & 0xfff) <= 4080) {
      const physical = this.translate(address, Access.Read, 16);
      const view = this.view;
      lanes[index] = view.getInt32(physical, true);
      lanes[index + 1] = view.getInt32(physical + 4, true);
      lanes[index + 2] = view.getInt32(physical + 8, true);
      lanes[index + 3] = view.getInt32(physical + 12, true);
      return;
    }
    const low = this.readMemory(8, address, Access.Read);
    const lowHigh = this.valHi;
    const high = this.readMemory(8, address + 8, Access.Read);
    lanes[index] = low;
    lanes[index + 1] = lowHigh;
    lanes[index + 2] = high;
    lanes[index + 3] = this.valHi;
  }

  /** Stores XMM slot `slot` to the 16 bytes at `address`; nothing is written if any page faults. */
  write128(address: number, slot: number): void {
    if ((address & 0xfff) > 4080) {
      this.writeBytes(address, this.ctx.xmmBytes, slot * 16, 16);
      return;
    }
    const lanes = this.ctx.xmmInt32;
    const index = slot * 4;
    const physical = this.translate(address, Access.Write, 16);
    const view = this.view;
    view.setInt32(physical, lanes[index] ?? 0, true);
    view.setInt32(physical + 4, lanes[index + 1] ?? 0, true);
    view.setInt32(physical + 8, lanes[index + 2] ?? 0, true);
    view.setInt32(physical + 12, lanes[index + 3] ?? 0, true);
  }

  /** Copies `length` bytes of guest memory at `address` into `into` (used by FXSAVE and m80). */
  readBytes(address: number, into: Uint8Array, offset: number, length: number): void {
    let done = 0;
    while (done < length) {
      const chunk = Math.min(length - done, 4096 - ((address + done) & 0xfff));
      const physical = this.translate(address + done, Access.Read, chunk);
      into.set(this.ram.subarray(physical, physical + chunk), offset + done);
      done += chunk;
    }
  }

  /** Copies bytes into guest memory; every page is translated before the first byte is written. */
  writeBytes(address: number, from: Uint8Array, offset: number, length: number): void {
    const firstChunk = Math.min(length, 4096 - (address & 0xfff));
    const first = this.translate(address, Access.Write, firstChunk);
    let second = 0;
    if (firstChunk < length) {
      second = this.translate(address + firstChunk, Access.Write, length - firstChunk);
    }
    this.ram.set(from.subarray(offset, offset + firstChunk), first);
    if (firstChunk < length) {
      this.ram.set(from.subarray(offset + firstChunk, offset + length), second);
    }
  }
}
