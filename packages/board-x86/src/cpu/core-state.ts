/**
 * The core's decoding state on top of guest memory: instruction fetch through the cached
 * code page, prefix and ModRM/SIB decoding with exact 64-bit effective addresses, register
 * and r/m operands, and the stack.
 *
 * Everything the instruction handlers (exec-*.ts) share lives here or in GuestMemory, so the
 * handlers are plain functions over one `CoreState`.
 */

import { Access } from "../cpu-wiring.ts";
import { ExceptionVector } from "../machine.ts";
import { GuestMemory, TWO_POW_32, unsignedOf, wrapUnsigned } from "./guest-memory.ts";

export { CPU_EXCEPTION, TWO_POW_32, unsignedOf, wrapUnsigned } from "./guest-memory.ts";

/** REX prefix bits. */
export const Rex = { B: 1, X: 2, R: 4, W: 8, present: 0x40 } as const;

export class CoreState extends GuestMemory {
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
   * for RIP-relative operands only `eaLow` is kept (`eaHigh` is -1).
   */
  eaLow = 0;
  eaHigh = 0;
  /** The memory operand is RIP-relative: immediates fetched later move its base. */
  eaRipRelative = false;

  /** RDTSC's source (the platform's time-stamp counter). */
  readTsc: () => number = () => 0;

  /** Set by SYSCALL to end `run` with that exit. */
  exitRequest = -1;

  /** Ends the current instruction with a trap: RIP points after the instruction. */
  raiseTrap(vector: number): never {
    this.instructionRip = this.currentRip();
    return this.raise(vector);
  }


  // ---- instruction fetch ----

  /** RIP of the next byte to fetch. */
  currentRip(): number {
    return this.ip + this.ipDelta;
  }

  /** Jumps taken so far (the dispatcher ends an interpreted stretch at the first). */
  jumpCount = 0;

  /** Continues execution at virtual address `target`. */
  jump(target: number): void {
    this.jumpCount++;
    const index = target - this.ipDelta;
    if (index < this.ipLimit && index >= this.ipLimit - 4096) {
      this.ip = index;
    } else {
      this.ipDelta = target;
      this.ip = 0;
      this.ipLimit = 0;
    }
  }

  /** Forgets every cached translation (code page and the last data pages). */
  flushTranslations(): void {
    this.invalidateCodePage();
    this.flushDataTranslations();
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

  /** An immediate after a RIP-relative operand moves its address (RIP is the instruction's end). */
  private advanceRipRelative(bytes: number): void {
    if (!this.eaRipRelative) return;
    this.ea += bytes;
    this.eaLow = (this.eaLow + bytes) | 0;
  }

  /** Signed 8-bit immediate. */
  fetchS8(): number {
    this.advanceRipRelative(1);
    return (this.fetch8() << 24) >> 24;
  }

  fetchImm8(): number {
    this.advanceRipRelative(1);
    return this.fetch8();
  }

  fetchImm16(): number {
    this.advanceRipRelative(2);
    return this.fetch8() | (this.fetch8() << 8);
  }

  /** 32-bit immediate or displacement, as a signed int32. */
  fetchImm32(): number {
    this.advanceRipRelative(4);
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
      // Below address 0 the sum wraps modulo 2^64 (into the kernel half: a #PF, as on hardware).
      const sum = this.ip + this.ipDelta + displacement;
      const next = wrapUnsigned(sum);
      this.ea = (this.addressSize32 ? next % TWO_POW_32 : next) + this.segmentBase;
      this.eaLow = sum | 0;
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
      this.ea = unsignedOf(sum, fullHigh);
      return;
    }
    // FS-relative TLS offsets are negative and wrap modulo 2^64: add the base in halves.
    const baseLow = segmentBase % TWO_POW_32;
    const lowSum = (sum >>> 0) + baseLow;
    const segmentHigh = (fullHigh + Math.floor(segmentBase / TWO_POW_32) + (lowSum >= TWO_POW_32 ? 1 : 0)) | 0;
    this.ea = unsignedOf(lowSum, segmentHigh);
  }

  /**
   * Whether the memory operand is not aligned to `bytes` (a power of two), from the exact low
   * bits: `ea` is a double and loses them above 2^53 (non-canonical and kernel-half addresses).
   */
  eaMisaligned(bytes: number): boolean {
    return ((this.eaLow + (this.segmentBase | 0)) & (bytes - 1)) !== 0;
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
