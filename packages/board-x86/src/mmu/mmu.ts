/**
 * The MMU: translates every ring-3 memory access through the x86-64 4-level page tables that
 * the kernel built in guest RAM (Intel SDM vol. 3, chapter 4), with a TLB in front.
 *
 * This is the hardware side of isolation: ostd-x86 writes page tables and CR3, and user code
 * can reach only what they map with the User bit. The walk is real: entries are read from
 * RAM, reserved bits are checked, the accessed bit is written back into every entry used and
 * the dirty bit into the leaf on a write, and 4 KiB, 2 MiB and 1 GiB pages are supported.
 * Faults are recorded (CR2 and the #PF error code, or #GP for a non-canonical address) and
 * reported by returning -1, so the CPU's hot loop never sees an exception.
 *
 * Board-specific rule: a present user page whose physical address is not RAM (MMIO, a hole,
 * beyond the end) is a reserved-bit page fault, and so is a table pointer outside RAM: user
 * mode can never reach device registers.
 */

import { ExceptionVector, PageFaultError, type PhysAddr } from "../machine.ts";
import { Access, type AddressTranslator } from "../cpu-wiring.ts";
import {
  EntryHigh,
  EntryLow,
  HIGH_ADDRESS_MASK,
  LOWER_HALF_END,
  PAGE_SIZE,
  RESERVED_HIGH_ADDRESS_BITS,
  RESERVED_LOW_1G,
  RESERVED_LOW_2M,
  TWO_POW_32,
  TWO_POW_64,
  UPPER_HALF_START,
} from "./page-table-entry.ts";
import { Tlb, TLB_BITS, TLB_MASK } from "./tlb.ts";

/** Bytes covered by one entry at each level, index = level (1 = PT ... 4 = PML4). */
const LEVEL_SPAN = [0, 0x1000, 0x20_0000, 0x4000_0000, 0x80_0000_0000] as const;
const ENTRIES_PER_TABLE = 512;

export interface MmuOptions {
  /** EFER.NXE: whether the XD bit is honoured (otherwise it is a reserved bit). Default true. */
  readonly noExecuteEnabled?: boolean;
}

export class Mmu implements AddressTranslator {
  faultVector = 0;
  faultAddress = 0;
  faultErrorCode = 0;
  readonly noExecuteEnabled: boolean;

  private readonly tlb = new Tlb();
  private readonly tlbTags: Float64Array;
  private readonly tlbAddends: Float64Array;
  /** RAM as little-endian 32-bit words: an entry is the word pair at (address >>> 2). */
  private readonly words: Int32Array;
  private readonly ramSize: number;
  private pml4 = 0;
  /** Word indices of the entries used by the current walk, for the accessed-bit write-back. */
  private readonly walkedEntries = new Int32Array(4);

  constructor(ram: Uint8Array, options: MmuOptions = {}) {
    if (ram.byteOffset % 8 !== 0 || ram.byteLength % PAGE_SIZE !== 0) {
      throw new RangeError("Mmu: RAM must be 8-byte aligned and a whole number of pages");
    }
    this.ramSize = ram.byteLength;
    this.words = new Int32Array(ram.buffer, ram.byteOffset, ram.byteLength >>> 2);
    this.noExecuteEnabled = options.noExecuteEnabled ?? true;
    this.tlbTags = this.tlb.tags;
    this.tlbAddends = this.tlb.addends;
  }

  /** Physical address of the PML4. Writing it flushes every non-global TLB entry. */
  get cr3(): PhysAddr {
    return this.pml4;
  }

  set cr3(value: PhysAddr) {
    this.pml4 = value - (value % PAGE_SIZE);
    this.tlb.flushNonGlobal();
  }

  invalidatePage(address: number): void {
    this.tlb.invalidatePage(Math.floor(address / PAGE_SIZE));
  }

  flushAll(): void {
    this.tlb.flushAll();
  }

  translate(address: number, access: Access): number {
    const page = Math.floor(address / PAGE_SIZE);
    const slot = page & TLB_MASK;
    if (this.tlbTags[(access << TLB_BITS) | slot] === page) {
      return address + (this.tlbAddends[slot] ?? 0);
    }
    return this.walk(address, access);
  }

  /** The slow path: a full page walk, the permission check and a TLB fill. */
  private walk(address: number, access: Access): number {
    let linear: number;
    if (address >= 0 && address < LOWER_HALF_END) {
      linear = address;
    } else if (address >= UPPER_HALF_START && address < TWO_POW_64) {
      linear = address - UPPER_HALF_START + LOWER_HALF_END;
    } else {
      return this.generalProtection(address);
    }
    const fetch = access === Access.Execute;
    const write = access === Access.Write;
    let errorCode = PageFaultError.User;
    if (write) errorCode |= PageFaultError.Write;
    if (fetch && this.noExecuteEnabled) errorCode |= PageFaultError.InstructionFetch;

    let table = this.pml4;
    let writable = true;
    let user = true;
    let executable = true;
    let level = 4;
    let low: number;
    let high: number;
    for (;;) {
      if (table + PAGE_SIZE > this.ramSize) {
        return this.pageFault(address, errorCode | PageFaultError.Present | PageFaultError.ReservedBit);
      }
      const index = Math.floor(linear / (LEVEL_SPAN[level] ?? PAGE_SIZE)) & (ENTRIES_PER_TABLE - 1);
      const word = (table + index * 8) >>> 2;
      low = this.words[word] ?? 0;
      high = this.words[word + 1] ?? 0;
      if ((low & EntryLow.Present) === 0) return this.pageFault(address, errorCode);
      if (this.hasReservedBits(low, high, level)) {
        return this.pageFault(address, errorCode | PageFaultError.Present | PageFaultError.ReservedBit);
      }
      this.walkedEntries[4 - level] = word;
      if ((low & EntryLow.Writable) === 0) writable = false;
      if ((low & EntryLow.User) === 0) user = false;
      if (this.noExecuteEnabled && (high & EntryHigh.NoExecute) !== 0) executable = false;
      const next = (high & HIGH_ADDRESS_MASK) * TWO_POW_32 + ((low & EntryLow.AddressMask) >>> 0);
      if (level === 1 || (low & EntryLow.PageSize) !== 0) {
        table = next;
        break;
      }
      table = next;
      level--;
    }
    if (!user || (write && !writable) || (fetch && !executable)) {
      return this.pageFault(address, errorCode | PageFaultError.Present);
    }
    const span = LEVEL_SPAN[level] ?? PAGE_SIZE;
    // The leaf's address field, aligned to the page size (bit 12 of a huge leaf is PAT).
    const physical = table - (table % span) + (linear % span);
    const physicalPage = Math.floor(physical / PAGE_SIZE);
    if ((physicalPage + 1) * PAGE_SIZE > this.ramSize) {
      return this.pageFault(address, errorCode | PageFaultError.Present | PageFaultError.ReservedBit);
    }
    for (let used = 4 - level; used >= 0; used--) {
      const word = this.walkedEntries[used] ?? 0;
      this.words[word] = (this.words[word] ?? 0) | EntryLow.Accessed;
    }
    const leafWord = this.walkedEntries[4 - level] ?? 0;
    if (write) this.words[leafWord] = (this.words[leafWord] ?? 0) | EntryLow.Dirty;
    const dirty = ((this.words[leafWord] ?? 0) & EntryLow.Dirty) !== 0;
    if (address < LOWER_HALF_END) {
      this.tlb.fill({
        page: Math.floor(address / PAGE_SIZE),
        physicalPage,
        writable: writable && dirty,
        executable,
        global: (low & EntryLow.Global) !== 0,
        mappingSize: span,
      });
    }
    return physical;
  }

  private hasReservedBits(low: number, high: number, level: number): boolean {
    if ((high & RESERVED_HIGH_ADDRESS_BITS) !== 0) return true;
    if (!this.noExecuteEnabled && (high & EntryHigh.NoExecute) !== 0) return true;
    if ((low & EntryLow.PageSize) === 0) return false;
    if (level === 4) return true;
    if (level === 3) return (low & RESERVED_LOW_1G) !== 0;
    return level === 2 && (low & RESERVED_LOW_2M) !== 0;
  }

  private pageFault(address: number, errorCode: number): number {
    this.faultVector = ExceptionVector.PageFault;
    this.faultAddress = address;
    this.faultErrorCode = errorCode;
    return -1;
  }

  private generalProtection(address: number): number {
    this.faultVector = ExceptionVector.GeneralProtection;
    this.faultAddress = address;
    this.faultErrorCode = 0;
    return -1;
  }
}
