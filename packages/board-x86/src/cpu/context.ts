/**
 * The register file of one user thread (`CpuContext` of machine.ts).
 *
 * The core executes directly on these arrays, so a thread switch is handing the core another
 * context. General-purpose registers are lo/hi int32 halves; the 16 XMM registers share one
 * 256-byte buffer seen as bytes, int32, float32 and float64 lanes; the x87 stack is eight host
 * doubles indexed by physical register number (ST(i) is `(top + i) & 7`). Saving and restoring
 * use the 512-byte FXSAVE layout that Linux puts in signal frames.
 */

import type { CpuContext } from "../machine.ts";
import { extendedResult, readExtended, writeExtended } from "./x87-extended.ts";

/** FXSAVE image offsets (Intel SDM vol. 1, table 10-2). */
const Fxsave = {
  fcw: 0,
  fsw: 2,
  abridgedTag: 4,
  mxcsr: 24,
  mxcsrMask: 28,
  st0: 32,
  xmm0: 160,
  size: 512,
} as const;

/** MXCSR bits a program may set (the MXCSR_MASK FXSAVE reports). */
export const MXCSR_WRITABLE = 0xffff;
/** The 16 architectural XMM registers plus the two scratch slots. */
export const XMM_SLOTS = 18;
export const XMM_SOURCE_SLOT = 16;
export const XMM_RESULT_SLOT = 17;
export const MXCSR_DEFAULT = 0x1f80;
export const FCW_DEFAULT = 0x37f;

export class X86Context implements CpuContext {
  readonly gprLo = new Int32Array(16);
  readonly gprHi = new Int32Array(16);
  rip = 0;
  /** Stored RFLAGS; the core loads it on entry and writes it back, materialized, on exit. */
  rflags = 0x202;
  fsBase = 0;
  gsBase = 0;

  /**
   * XMM0..15, 16 bytes each, with lane views sharing one buffer. Two more 16-byte slots
   * (16: a memory source operand, 17: a result under construction) let SSE instructions
   * address every operand the same way; they are not architectural state.
   */
  readonly xmmBytes: Uint8Array;
  readonly xmmInt8: Int8Array;
  readonly xmmUint16: Uint16Array;
  readonly xmmInt16: Int16Array;
  readonly xmmInt32: Int32Array;
  readonly xmmUint32: Uint32Array;
  readonly xmmFloat32: Float32Array;
  readonly xmmFloat64: Float64Array;
  mxcsr = MXCSR_DEFAULT;

  /**
   * x87 registers by physical number, each the exact sum x87[i] + x87Low[i] of two doubles
   * (64-bit significands, see x87-extended.ts).
   */
  readonly x87 = new Float64Array(8);
  readonly x87Low = new Float64Array(8);
  /** Bit i set: physical register i is in use (the FXSAVE abridged tag). */
  x87Tags = 0;
  x87Top = 0;
  fcw = FCW_DEFAULT;
  /** FSW without the TOP field (bits 11-13 come from `x87Top`). */
  fswFlags = 0;

  constructor() {
    const buffer = new ArrayBuffer(XMM_SLOTS * 16);
    this.xmmBytes = new Uint8Array(buffer);
    this.xmmInt8 = new Int8Array(buffer);
    this.xmmUint16 = new Uint16Array(buffer);
    this.xmmInt16 = new Int16Array(buffer);
    this.xmmInt32 = new Int32Array(buffer);
    this.xmmUint32 = new Uint32Array(buffer);
    this.xmmFloat32 = new Float32Array(buffer);
    this.xmmFloat64 = new Float64Array(buffer);
  }

  saveFpu(into: Uint8Array): void {
    if (into.length < Fxsave.size) throw new RangeError("FXSAVE area must be 512 bytes");
    into.fill(0, 0, Fxsave.size);
    const fsw = (this.fswFlags & ~0x3800) | ((this.x87Top & 7) << 11);
    writeLe(into, Fxsave.fcw, this.fcw, 2);
    writeLe(into, Fxsave.fsw, fsw, 2);
    into[Fxsave.abridgedTag] = this.x87Tags & 0xff;
    writeLe(into, Fxsave.mxcsr, this.mxcsr, 4);
    writeLe(into, Fxsave.mxcsrMask, MXCSR_WRITABLE, 4);
    for (let i = 0; i < 8; i++) {
      const register = (this.x87Top + i) & 7;
      writeExtended(this.x87[register] ?? 0, this.x87Low[register] ?? 0, into, Fxsave.st0 + i * 16);
    }
    into.set(this.xmmBytes.subarray(0, 256), Fxsave.xmm0);
  }

  restoreFpu(from: Uint8Array): void {
    if (from.length < Fxsave.size) throw new RangeError("FXSAVE area must be 512 bytes");
    const fsw = readLe(from, Fxsave.fsw, 2);
    this.fcw = readLe(from, Fxsave.fcw, 2);
    this.x87Top = (fsw >> 11) & 7;
    this.fswFlags = fsw & ~0x3800;
    this.x87Tags = from[Fxsave.abridgedTag] ?? 0;
    this.mxcsr = readLe(from, Fxsave.mxcsr, 4) & MXCSR_WRITABLE;
    for (let i = 0; i < 8; i++) {
      readExtended(from, Fxsave.st0 + i * 16);
      this.x87[(this.x87Top + i) & 7] = extendedResult[0] ?? 0;
      this.x87Low[(this.x87Top + i) & 7] = extendedResult[1] ?? 0;
    }
    this.xmmBytes.set(from.subarray(Fxsave.xmm0, Fxsave.xmm0 + 256));
  }

  copyFrom(other: CpuContext): void {
    this.gprLo.set(other.gprLo);
    this.gprHi.set(other.gprHi);
    this.rip = other.rip;
    this.rflags = other.rflags;
    this.fsBase = other.fsBase;
    this.gsBase = other.gsBase;
    if (other instanceof X86Context) {
      this.xmmBytes.set(other.xmmBytes);
      this.mxcsr = other.mxcsr;
      this.x87.set(other.x87);
      this.x87Low.set(other.x87Low);
      this.x87Tags = other.x87Tags;
      this.x87Top = other.x87Top;
      this.fcw = other.fcw;
      this.fswFlags = other.fswFlags;
    } else {
      const image = new Uint8Array(Fxsave.size);
      other.saveFpu(image);
      this.restoreFpu(image);
    }
  }
}

function writeLe(bytes: Uint8Array, offset: number, value: number, size: number): void {
  for (let i = 0; i < size; i++) bytes[offset + i] = (value >>> (8 * i)) & 0xff;
}

function readLe(bytes: Uint8Array, offset: number, size: number): number {
  let value = 0;
  for (let i = 0; i < size; i++) value |= (bytes[offset + i] ?? 0) << (8 * i);
  return value >>> 0;
}
