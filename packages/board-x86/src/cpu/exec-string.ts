/**
 * String instructions (MOVS, CMPS, STOS, LODS, SCAS) with REP/REPE/REPNE.
 *
 * Each element is a complete architectural step: RCX/RSI/RDI are updated after every element,
 * so a page fault in the middle of `rep movsb` leaves the registers describing exactly the
 * work that remains, and re-executing the instruction resumes it. Forward `rep movs` and
 * `rep stos` copy whole page-bounded chunks at once, which is what makes memcpy/memset fast.
 * A long REP yields after a bounded amount of work with RIP on itself, so interrupts are
 * taken in the middle of it as on hardware.
 */

import { Access } from "../cpu-wiring.ts";
import { aluBinary, AluOp } from "./alu.ts";
import { TWO_POW_32, wrapUnsigned, type CoreState } from "./core-state.ts";
import { Flag } from "./lazy-flags.ts";

const RCX = 1;
const RSI = 6;
const RDI = 7;
/** Elements one execution of a REP instruction handles before yielding (64 KiB of bytes). */
const REP_ELEMENTS_PER_STEP = 1 << 16;

function readIndex(c: CoreState, register: number): number {
  return c.addressSize32 ? (c.gprLo[register] ?? 0) >>> 0 : c.getReg64Number(register);
}

function writeIndex(c: CoreState, register: number, value: number): void {
  if (c.addressSize32) {
    c.setReg(4, register, value % TWO_POW_32 | 0, 0);
  } else {
    c.setReg64Number(register, wrapUnsigned(value));
  }
}

export function executeString(c: CoreState, opcode: number): void {
  const size = (opcode & 1) === 0 ? 1 : c.operandSize;
  const kind = opcode & 0xfe;
  const step = (c.controlFlags & Flag.DF) !== 0 ? -size : size;
  if (c.repPrefix === 0) {
    stringElement(c, kind, size, step);
    return;
  }
  let count = readIndex(c, RCX);
  const conditional = kind === 0xa6 || kind === 0xae;
  let budget = REP_ELEMENTS_PER_STEP;
  while (count > 0) {
    if (budget <= 0) {
      // Like an interrupted REP on hardware: the registers describe the remaining work and
      // RIP stays on the instruction, so the loop can poll for interrupts in between.
      c.jump(c.instructionRip);
      return;
    }
    if (step > 0 && (kind === 0xa4 || kind === 0xaa)) {
      const done = kind === 0xa4 ? copyChunk(c, size, count) : fillChunk(c, size, count);
      if (done > 0) {
        budget -= done;
        count -= done;
        writeIndex(c, RCX, count);
        continue;
      }
    }
    stringElement(c, kind, size, step);
    budget--;
    count--;
    writeIndex(c, RCX, count);
    if (conditional && (c.getZF() !== 0) !== (c.repPrefix === 0xf3)) return;
  }
}

function stringElement(c: CoreState, kind: number, size: number, step: number): void {
  switch (kind) {
    case 0xa4: {
      const source = readIndex(c, RSI);
      const destination = readIndex(c, RDI);
      const value = c.readMemory(size, source + c.segmentBase);
      c.writeMemory(size, destination, value, c.valHi);
      writeIndex(c, RSI, source + step);
      writeIndex(c, RDI, destination + step);
      return;
    }
    case 0xa6: {
      const source = readIndex(c, RSI);
      const destination = readIndex(c, RDI);
      const a = c.readMemory(size, source + c.segmentBase);
      const aHi = c.valHi;
      const b = c.readMemory(size, destination);
      aluBinary(c, AluOp.Cmp, size, a, aHi, b, c.valHi);
      writeIndex(c, RSI, source + step);
      writeIndex(c, RDI, destination + step);
      return;
    }
    case 0xaa: {
      const destination = readIndex(c, RDI);
      const value = c.getReg(size, 0);
      c.writeMemory(size, destination, value, c.valHi);
      writeIndex(c, RDI, destination + step);
      return;
    }
    case 0xac: {
      const source = readIndex(c, RSI);
      const value = c.readMemory(size, source + c.segmentBase);
      c.setReg(size, 0, value, c.valHi);
      writeIndex(c, RSI, source + step);
      return;
    }
    default: {
      const destination = readIndex(c, RDI);
      const b = c.readMemory(size, destination);
      const bHi = c.valHi;
      const a = c.getReg(size, 0);
      aluBinary(c, AluOp.Cmp, size, a, c.valHi, b, bHi);
      writeIndex(c, RDI, destination + step);
    }
  }
}

/** Elements that fit before `address` reaches the end of its page. */
function elementsInPage(address: number, size: number, count: number): number {
  return Math.min(count, Math.floor((4096 - (address & 0xfff)) / size));
}

/** Forward REP MOVS over one page-bounded chunk; returns the elements copied (0: use the slow path). */
function copyChunk(c: CoreState, size: number, count: number): number {
  const source = readIndex(c, RSI);
  const destination = readIndex(c, RDI);
  const from = source + c.segmentBase;
  const elements = Math.min(elementsInPage(from, size, count), elementsInPage(destination, size, count));
  if (elements === 0) return 0;
  const sourcePhysical = c.translateRange(from, Access.Read, elements * size);
  const destinationPhysical = c.translateRange(destination, Access.Write, elements * size);
  const bytes = elements * size;
  if (destinationPhysical > sourcePhysical && destinationPhysical < sourcePhysical + bytes) {
    // Overlapping forward copy: the architecture repeats the pattern, byte by byte.
    const ram = c.ram;
    for (let i = 0; i < bytes; i++) ram[destinationPhysical + i] = ram[sourcePhysical + i] ?? 0;
  } else {
    c.ram.copyWithin(destinationPhysical, sourcePhysical, sourcePhysical + bytes);
  }
  writeIndex(c, RSI, source + bytes);
  writeIndex(c, RDI, destination + bytes);
  return elements;
}

/** Forward REP STOS over one page-bounded chunk. */
function fillChunk(c: CoreState, size: number, count: number): number {
  const destination = readIndex(c, RDI);
  const elements = elementsInPage(destination, size, count);
  if (elements === 0) return 0;
  const bytes = elements * size;
  const physical = c.translateRange(destination, Access.Write, bytes);
  const low = c.getReg(size, 0);
  const high = c.valHi;
  if (size === 1) {
    c.ram.fill(low & 0xff, physical, physical + bytes);
  } else {
    const view = c.view;
    for (let offset = 0; offset < bytes; offset += size) {
      if (size === 2) view.setUint16(physical + offset, low & 0xffff, true);
      else view.setInt32(physical + offset, low, true);
      if (size === 8) view.setInt32(physical + offset + 4, high, true);
    }
  }
  writeIndex(c, RDI, destination + bytes);
  return elements;
}
