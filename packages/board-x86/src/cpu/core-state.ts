/**
 * The core's machine state and its access paths: instruction fetch, prefix and ModRM/SIB
 * decoding, register and memory operands, and exceptions.
 *
 * Everything the instruction handlers (exec-*.ts) share lives here, so the handlers are plain
 * functions over one `CoreState`. Memory goes through the MMU's `translate` on every access;
 * a page-crossing access translates every page it touches before it writes anything, so a
 * fault leaves memory and registers as they were. Faults are raised by throwing the single
 * preallocated `CPU_EXCEPTION` token, which `X86Core.run` catches outside the hot loop.
 */

import { Access, type AddressTranslator } from "../cpu-wiring.ts";
import { ExceptionVector } from "../machine.ts";
import { X86Context } from "./context.ts";
import { LazyFlags } from "./lazy-flags.ts";

/** The signal that ends an instruction with an exception; the details are in CoreState. */
export class CpuExceptionSignal extends Error {
  constructor() {
    super("x86 exception (see exceptionVector)");
    this.name = "CpuExceptionSignal";
  }
}

/** Thrown (as this one object, never allocated per fault) to end the current instruction. */
export const CPU_EXCEPTION = new CpuExceptionSignal();

/** REX prefix bits. */
export const Rex = { B: 1, X: 2, R: 4, W: 8, present: 0x40 } as const;

export const TWO_POW_32 = 4294967296;

export class CoreState extends LazyFlags {
  readonly ram: Uint8Array;
  readonly view: DataView;
  readonly mmu: AddressTranslator;
  ctx: X86Context = new X86Context();
  gprLo: Int32Array = this.ctx.gprLo;
  gprHi: Int32Array = this.ctx.gprHi;

  /** RAM index of the next instruction byte; `ipLimit` ends its code page. */
  ip = 0;
  ipLimit = 0;
  /** Virtual address minus RAM index on the current code page. */
  ipDelta = 0;
  /** RIP of the instruction being executed (where a fault leaves RIP). */
  instructionRip = 0;

  /** The current opcode: the byte for the one-byte map, 0x0f00 | byte for the 0F map. */
  opcode = 0;
  /** Decoded prefixes of the current instruction. */
  rex = 0;
  operandSize = 4;
  /** 0x66 was present (operand size for integer ops, or the SSE "pd/dq" selector). */
  prefix66 = false;
  /** 0, 0xf2 or 0xf3: the last REP/REPNE prefix (also the SSE "sd"/"ss" selector). */
  repPrefix = 0;
  addressSize32 = false;
  segmentBase = 0;

  /** ModRM fields; `modrmRm` already includes REX.B, `modrmReg` REX.R. */
  modrmMod = 0;
  modrmReg = 0;
  modrmRm = 0;
  /** Effective address of a memory operand (segment base included). */
  ea = 0;
  /**
   * The effective address as exact 64-bit halves, without segment base (what LEA stores);
   * `eaHigh` is -1 with `eaLow` 0 for RIP-relative operands, whose `ea` is exact anyway.
   */
  eaLow = 0;
  eaHigh = 0;
  /** The memory operand is RIP-relative: immediates fetched later move its base. */
  eaRipRelative = false;

  /** High half of the last 64-bit value returned by a read helper. */
  valHi = 0;

  /**
   * The last page read and the last page written (virtual page base, -1 if none) and their
   * frames: a one-entry TLB in front of the MMU's, dropped by `flushTranslations`.
   */
  private readPage = -1;
  private readFrame = 0;
  private writePage = -1;
  private writeFrame = 0;

  /** RDTSC's source (the platform's time-stamp counter). */
  readTsc: () => number = () => 0;

  /** Set by SYSCALL to end `run` with that exit. */
  exitRequest = -1;
  exceptionVector = 0;
  errorCode = 0;
  faultAddress = 0;

  constructor(ram: Uint8Array, mmu: AddressTranslator) {
    super();
    this.ram = ram;
    this.mmu = mmu;
    this.view = new DataView(ram.buffer, ram.byteOffset, ram.byteLength);
  }

  /** Ends the current instruction with exception `vector`. */
  raise(vector: number, errorCode = 0): never {
    this.exceptionVector = vector;
    this.errorCode = errorCode;
    throw CPU_EXCEPTION;
  }

  /** Ends the current instruction with a trap: RIP points after the instruction. */
  raiseTrap(vector: number): never {
    this.instructionRip = this.currentRip();
    return this.raise(vector);
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

  // ---- instruction fetch ----

  /** RIP of the next byte to fetch. */
  currentRip(): number {
    return this.ip + this.ipDelta;
  }

  /** Continues execution at virtual address `target`. */
  jump(target: number): void {
    const index = target - this.ipDelta;
    if (index < this.ipLimit && index >= this.ipLimit - 4096) {
      this.ip = index;
    } else {
      this.ipDelta = target;
      this.ip = 0;
      this.ipLimit = 0;
    }
  }

  /** Forgets the cached code page (the next fetch translates RIP again). */
  invalidateCodePage(): void {
    this.ipDelta += this.ip;
    this.ip = 0;
    this.ipLimit = 0;
  }

  private refillCode(): void {
    const rip = this.ip + this.ipDelta;
    const physical = this.mmu.translate(rip, Access.Execute);
    if (physical < 0) this.raiseTranslationFault();
    if (physical >= this.ram.length) this.raise(ExceptionVector.GeneralProtection);
    const pageStart = physical - (physical & 0xfff);
    this.ip = physical;
    this.ipLimit = Math.min(pageStart + 4096, this.ram.length);
    this.ipDelta = rip - physical;
  }

  fetch8(): number {
    if (this.ip >= this.ipLimit) this.refillCode();
    return this.ram[this.ip++] ?? 0;
  }

  /** Signed 8-bit immediate. */
  fetchS8(): number {
    if (this.eaRipRelative) this.ea += 1;
    return (this.fetch8() << 24) >> 24;
  }

  fetchImm8(): number {
    if (this.eaRipRelative) this.ea += 1;
    return this.fetch8();
  }

  fetchImm16(): number {
    if (this.eaRipRelative) this.ea += 2;
    return this.fetch8() | (this.fetch8() << 8);
  }

  /** 32-bit immediate or displacement, as a signed int32. */
  fetchImm32(): number {
    if (this.eaRipRelative) this.ea += 4;
    return this.fetchRaw32();
  }

  private fetchRaw32(): number {
    const ip = this.ip;
    if (ip + 4 <= this.ipLimit) {
      this.ip = ip + 4;
      return this.view.getInt32(ip, true);
    }
    return this.fetch8() | (this.fetch8() << 8) | (this.fetch8() << 16) | (this.fetch8() << 24);
  }

  /** An immediate of the operand size (imm16 or imm32 sign-extended for 64-bit operands). */
  fetchImmediate(size: number): number {
    if (size === 1) return this.fetchImm8();
    if (size === 2) return this.fetchImm16();
    return this.fetchImm32();
  }

  // ---- ModRM ----

  decodeModrm(): void {
    const modrm = this.fetch8();
    const mod = modrm >> 6;
    const rex = this.rex;
    this.modrmMod = mod;
    this.modrmReg = ((modrm >> 3) & 7) | ((rex & Rex.R) << 1);
    const rm = modrm & 7;
    if (mod === 3) {
      this.modrmRm = rm | ((rex & Rex.B) << 3);
      this.eaRipRelative = false;
      return;
    }
    const lo = this.gprLo;
    const hi = this.gprHi;
    // The address is summed in int32 halves with explicit carries: exact for any 64-bit value.
    let low = 0;
    let high = 0;
    if (rm === 4) {
      const sib = this.fetch8();
      const scale = sib >> 6;
      const index = ((sib >> 3) & 7) | ((rex & Rex.X) << 2);
      const base = (sib & 7) | ((rex & Rex.B) << 3);
      if (index !== 4) {
        const indexLo = lo[index] ?? 0;
        low = indexLo << scale;
        high = scale === 0 ? (hi[index] ?? 0) : ((hi[index] ?? 0) << scale) | (indexLo >>> (32 - scale));
      }
      if ((base & 7) === 5 && mod === 0) {
        this.eaRipRelative = false;
        this.finishAddress(low, high, this.fetchRaw32());
        return;
      }
      const baseLo = lo[base] ?? 0;
      const sum = (low + baseLo) | 0;
      high = (high + (hi[base] ?? 0) + (sum >>> 0 < baseLo >>> 0 ? 1 : 0)) | 0;
      low = sum;
    } else if (rm === 5 && mod === 0) {
      const displacement = this.fetchRaw32();
      this.eaRipRelative = true;
      const next = this.ip + this.ipDelta + displacement;
      this.ea = (this.addressSize32 ? next % TWO_POW_32 : next) + this.segmentBase;
      this.eaLow = 0;
      this.eaHigh = -1;
      return;
    } else {
      const register = rm | ((rex & Rex.B) << 3);
      low = lo[register] ?? 0;
      high = hi[register] ?? 0;
    }
    this.eaRipRelative = false;
    const displacement = mod === 1 ? (this.fetch8() << 24) >> 24 : mod === 2 ? this.fetchRaw32() : 0;
    this.finishAddress(low, high, displacement);
  }

  /** Adds the displacement and segment base and sets `ea`, `eaLow`, `eaHigh`. */
  private finishAddress(low: number, high: number, displacement: number): void {
    const sum = (low + displacement) | 0;
    const carry = sum >>> 0 < low >>> 0 ? 1 : 0;
    const fullHigh = (high + (displacement >> 31) + carry) | 0;
    if (this.addressSize32) {
      this.eaLow = sum;
      this.eaHigh = 0;
      this.ea = (sum >>> 0) + this.segmentBase;
      return;
    }
    this.eaLow = sum;
    this.eaHigh = fullHigh;
    const segmentBase = this.segmentBase;
    if (segmentBase === 0) {
      this.ea = fullHigh === 0 ? sum >>> 0 : (fullHigh >>> 0) * TWO_POW_32 + (sum >>> 0);
      return;
    }
    // FS-relative TLS offsets are negative and wrap modulo 2^64: add the base in halves.
    const baseLow = segmentBase % TWO_POW_32;
    const lowSum = (sum >>> 0) + baseLow;
    const segmentHigh = (fullHigh + Math.floor(segmentBase / TWO_POW_32) + (lowSum >= TWO_POW_32 ? 1 : 0)) | 0;
    this.ea = (segmentHigh >>> 0) * TWO_POW_32 + (lowSum >>> 0);
  }

  // ---- registers ----

  getReg8(register: number): number {
    if (register >= 4 && register < 8 && this.rex === 0) {
      return ((this.gprLo[register - 4] ?? 0) >> 8) & 0xff;
    }
    return (this.gprLo[register] ?? 0) & 0xff;
  }

  setReg8(register: number, value: number): void {
    const lo = this.gprLo;
    if (register >= 4 && register < 8 && this.rex === 0) {
      const r = register - 4;
      lo[r] = ((lo[r] ?? 0) & ~0xff00) | ((value & 0xff) << 8);
    } else {
      lo[register] = ((lo[register] ?? 0) & ~0xff) | (value & 0xff);
    }
  }

  /** Reads a register of `size` bytes; for size 8 the high half goes to `valHi`. */
  getReg(size: number, register: number): number {
    switch (size) {
      case 1:
        return this.getReg8(register);
      case 2:
        return (this.gprLo[register] ?? 0) & 0xffff;
      case 4:
        return this.gprLo[register] ?? 0;
      default:
        this.valHi = this.gprHi[register] ?? 0;
        return this.gprLo[register] ?? 0;
    }
  }

  /** Writes a register with x86-64 semantics: 32-bit writes zero the high half. */
  setReg(size: number, register: number, low: number, high: number): void {
    switch (size) {
      case 1:
        this.setReg8(register, low);
        return;
      case 2:
        this.gprLo[register] = ((this.gprLo[register] ?? 0) & ~0xffff) | (low & 0xffff);
        return;
      case 4:
        this.gprLo[register] = low;
        this.gprHi[register] = 0;
        return;
      default:
        this.gprLo[register] = low;
        this.gprHi[register] = high;
    }
  }

  /** A 64-bit register as a (non-negative below 2^63) double. */
  getReg64Number(register: number): number {
    return (this.gprHi[register] ?? 0) * TWO_POW_32 + ((this.gprLo[register] ?? 0) >>> 0);
  }

  /** Writes a double in [0, 2^64) as a 64-bit register value. */
  setReg64Number(register: number, value: number): void {
    this.gprLo[register] = value % TWO_POW_32 | 0;
    this.gprHi[register] = Math.floor(value / TWO_POW_32) | 0;
  }

  // ---- r/m operands ----

  readRm(size: number): number {
    if (this.modrmMod === 3) return this.getReg(size, this.modrmRm);
    return this.readMemory(size, this.ea, Access.Read);
  }

  /**
   * Reads the r/m operand of a read-modify-write instruction: memory is translated for
   * writing, so a read-only page faults here, before any register or flag has changed.
   */
  readRmForUpdate(size: number): number {
    if (this.modrmMod === 3) return this.getReg(size, this.modrmRm);
    return this.readMemory(size, this.ea, Access.Write);
  }

  writeRm(size: number, low: number, high: number): void {
    if (this.modrmMod === 3) this.setReg(size, this.modrmRm, low, high);
    else this.writeMemory(size, this.ea, low, high);
  }

  // ---- memory ----

  /** Translates `address` for an access of `size` bytes that stays within one page. */
  translateRange(address: number, access: Access, size: number): number {
    return this.translate(address, access, size);
  }

  private translate(address: number, access: Access, size: number): number {
    const offset = address & 0xfff;
    const page = address - offset;
    if (access === Access.Read) {
      if (page === this.readPage) return this.readFrame + offset;
    } else if (page === this.writePage) {
      return this.writeFrame + offset;
    }
    return this.translateSlow(address, access, size);
  }

  /** Asks the MMU, then remembers the page for the next access of the same kind. */
  private translateSlow(address: number, access: Access, size: number): number {
    const physical = this.mmu.translate(address, access);
    if (physical < 0) this.raiseTranslationFault();
    if (physical > this.ram.length - size) this.raise(ExceptionVector.GeneralProtection);
    const offset = address & 0xfff;
    const frame = physical - offset;
    if (frame + 4096 <= this.ram.length && access !== Access.Execute) {
      this.readPage = address - offset;
      this.readFrame = frame;
      if (access === Access.Write) {
        this.writePage = address - offset;
        this.writeFrame = frame;
      }
    }
    return physical;
  }

  /** Forgets every cached translation (code page and the last data pages). */
  flushTranslations(): void {
    this.invalidateCodePage();
    this.readPage = -1;
    this.writePage = -1;
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

  // ---- stack ----

  push64(low: number, high: number): void {
    const rspLow = this.gprLo[4] ?? 0;
    const newLow = (rspLow - 8) | 0;
    const newHigh = ((this.gprHi[4] ?? 0) - (rspLow >>> 0 < 8 ? 1 : 0)) | 0;
    this.writeMemory(8, newHigh * TWO_POW_32 + (newLow >>> 0), low, high);
    this.gprLo[4] = newLow;
    this.gprHi[4] = newHigh;
  }

  /** Pops 64 bits (high half in `valHi`). */
  pop64(): number {
    const rspLow = this.gprLo[4] ?? 0;
    const rspHigh = this.gprHi[4] ?? 0;
    const low = this.readMemory(8, rspHigh * TWO_POW_32 + (rspLow >>> 0), Access.Read);
    const newLow = (rspLow + 8) | 0;
    this.gprLo[4] = newLow;
    this.gprHi[4] = (rspHigh + (newLow >>> 0 < 8 ? 1 : 0)) | 0;
    return low;
  }
}
