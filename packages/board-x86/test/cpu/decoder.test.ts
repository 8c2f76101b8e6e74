/**
 * Decoder proof: every instruction of Debian's busybox-static (and bash-static when installed),
 * found by a linear sweep of .text with iced-x86, is decoded by X86Core to the same length and
 * opcode. The core decodes
 * by executing one instruction on a scratch register file with a translator that sends every
 * data access to a scratch page, so the real dispatch and ModRM/SIB/prefix paths are what is
 * measured. Instructions outside the x86-64 baseline this core advertises may instead raise
 * #UD (they are only reachable through CPUID-guarded code paths). The block translator's
 * decoder (src/cpu/jit/decode.ts) must agree with iced on the length of every instruction it
 * does not leave to the interpreter as a block tail.
 */

import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { Access, type AddressTranslator } from "../../src/cpu-wiring.ts";
import { X86Core } from "../../src/cpu/index.ts";
import { decodeInsn, Op } from "../../src/cpu/jit/decode.ts";
import { ExceptionVector, UserExit } from "../../src/machine.ts";

/** Debian's static binaries (CI installs busybox-static and bash-static). */
const BINARIES = ["/bin/busybox", "/bin/bash-static"].filter((path) => existsSync(path));

interface IcedModule {
  Decoder: new (bitness: number, data: Uint8Array, options: number) => IcedDecoder;
  Instruction: new () => IcedInstruction;
  CpuidFeature: Record<number, string>;
}
interface IcedDecoder {
  ip: bigint;
  position: number;
  readonly canDecode: boolean;
  decodeOut(instruction: IcedInstruction): void;
  free(): void;
}
interface IcedInstruction {
  readonly length: number;
  readonly code: number;
  readonly opCode: {
    readonly table: number;
    readonly opCode: number;
    readonly opCodeLength: number;
    readonly opCodeString: string;
    free(): void;
  };
  cpuidFeatures(): Int32Array;
  free(): void;
}

/** Features of the baseline this core implements (iced-x86 CpuidFeature names). */
const BASELINE = new Set([
  "INTEL8086", "INTEL8086_ONLY", "INTEL186", "INTEL286", "INTEL386", "INTEL486", "X64", "FPU", "FPU287", "FPU387",
  "CMOV", "CX8", "SSE", "SSE2", "TSC", "SYSCALL", "FXSR", "CPUID", "MULTIBYTENOP", "CET_IBT", "PAUSE", "CLFSH",
]);

function textSection(elf: Uint8Array): { address: number; bytes: Uint8Array } {
  const view = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);
  const shoff = Number(view.getBigUint64(40, true));
  const shentsize = view.getUint16(58, true);
  const shnum = view.getUint16(60, true);
  const shstrndx = view.getUint16(62, true);
  const names = Number(view.getBigUint64(shoff + shstrndx * shentsize + 24, true));
  for (let i = 0; i < shnum; i++) {
    const header = shoff + i * shentsize;
    let name = "";
    for (let p = names + view.getUint32(header, true); elf[p] !== 0; p++) name += String.fromCharCode(elf[p] ?? 0);
    if (name === ".text") {
      const offset = Number(view.getBigUint64(header + 24, true));
      const size = Number(view.getBigUint64(header + 32, true));
      return { address: Number(view.getBigUint64(header + 16, true)), bytes: elf.subarray(offset, offset + size) };
    }
  }
  throw new Error("no .text section");
}

const CODE_BASE = 0x10_0000;
const SCRATCH_BASE = 0x1000;

/** Code fetches map onto the copied .text; every data access lands in one scratch page. */
class ProbeTranslator implements AddressTranslator {
  faultVector = ExceptionVector.PageFault;
  faultAddress = 0;
  faultErrorCode = 0;
  private readonly textAddress: number;
  private readonly textSize: number;
  constructor(textAddress: number, textSize: number) {
    this.textAddress = textAddress;
    this.textSize = textSize;
  }
  translate(address: number, access: Access): number {
    if (access === Access.Execute) {
      const offset = address - this.textAddress;
      if (offset >= 0 && offset < this.textSize + 16) return CODE_BASE + offset;
      this.faultAddress = address;
      return -1;
    }
    return SCRATCH_BASE + (address & 0xfff);
  }
}

/** X86Core that remembers where the current instruction ended when it jumps. */
class ProbeCore extends X86Core {
  jumpedFrom = -1;
  override jump(target: number): void {
    if (this.jumpedFrom < 0) this.jumpedFrom = this.currentRip();
    super.jump(target);
  }
}

describe.runIf(BINARIES.length > 0)("decoder against iced-x86 on static Debian binaries", () => {
  it.each(BINARIES)("%s: every baseline instruction of .text decodes to iced's length and opcode, and is implemented", { timeout: 120_000 }, (binary) => {
    const iced = createRequire(import.meta.url)("iced-x86") as IcedModule;
    const text = textSection(readFileSync(binary));
    const ram = new Uint8Array(CODE_BASE + text.bytes.length + 0x10000);
    ram.set(text.bytes, CODE_BASE);
    const core = new ProbeCore(ram, new ProbeTranslator(text.address, text.bytes.length), {
      pollInterval: 1,
      poll: () => true,
      readTsc: () => 0,
    });
    const context = core.createContext();
    const decoder = new iced.Decoder(64, text.bytes, 0);
    decoder.ip = BigInt(text.address);
    const instruction = new iced.Instruction();
    let checked = 0;
    let outsideBaseline = 0;
    const mismatches: string[] = [];
    const translatorMismatches: string[] = [];
    let translatorDecoded = 0;
    const unimplemented: string[] = [];
    while (decoder.canDecode) {
      const offset = decoder.position;
      decoder.decodeOut(instruction);
      if (instruction.code === 0) continue;
      const address = text.address + offset;
      const translated = decodeInsn(ram, CODE_BASE + offset, CODE_BASE + text.bytes.length, address);
      if (translated.op !== Op.Tail) {
        translatorDecoded++;
        if (translated.length !== instruction.length) {
          translatorMismatches.push(`0x${address.toString(16)}: translator length ${translated.length}, iced ${instruction.length}`);
        }
      }
      const info = instruction.opCode;
      // iced writes opcodes that continue into ModRM (0F AE F8) as two bytes, and "+r"
      // encodings (50+r, B8+r, ...) as their base: compare the opcode byte the core dispatched on.
      const mainByte = info.opCodeLength === 2 ? info.opCode >> 8 : info.opCode;
      const registerInOpcode = info.opCodeString.includes("+r");
      const expectedOpcode = info.table === 1 ? 0x0f00 | mainByte : info.table === 0 ? mainByte : -1;
      info.free();
      const baseline = Array.from(instruction.cpuidFeatures()).every((feature) => BASELINE.has(iced.CpuidFeature[feature] ?? ""));
      context.gprLo.fill(0);
      context.gprHi.fill(0);
      context.rflags = 0x202;
      context.rip = address;
      core.jumpedFrom = -1;
      const exit = core.run(context);
      const end = core.jumpedFrom >= 0 ? core.jumpedFrom : core.currentRip();
      const length = end - address;
      if (exit === UserExit.Exception && core.exceptionVector === ExceptionVector.InvalidOpcode && !baseline) {
        outsideBaseline++;
        continue;
      }
      checked++;
      const intendedUndefined = core.opcode === 0x0f0b || core.opcode === 0x0fb9 || core.opcode === 0x0fff;
      if (exit === UserExit.Exception && core.exceptionVector === ExceptionVector.InvalidOpcode && !intendedUndefined) {
        unimplemented.push(`0x${address.toString(16)} opcode ${core.opcode.toString(16)}`);
      }
      const coreOpcode = registerInOpcode ? core.opcode & ~7 : core.opcode;
      if (length !== instruction.length || coreOpcode !== expectedOpcode) {
        const bytes = Array.from(text.bytes.subarray(offset, offset + instruction.length), (b) => b.toString(16).padStart(2, "0")).join(" ");
        mismatches.push(`0x${address.toString(16)} [${bytes}]: core length ${length} opcode ${core.opcode.toString(16)}, iced ${instruction.length} ${expectedOpcode.toString(16)} (exit ${exit} vector ${core.exceptionVector})`);
      }
    }
    instruction.free();
    decoder.free();
    expect(mismatches.slice(0, 20)).toEqual([]);
    // The block translator's own decoder agrees on the length of everything it does not leave to the interpreter.
    expect(translatorMismatches.slice(0, 20)).toEqual([]);
    expect(translatorDecoded).toBeGreaterThan(checked * 0.8);
    // Every baseline instruction busybox contains is implemented (only UD0/UD1/UD2 raise #UD).
    expect(unimplemented.slice(0, 20)).toEqual([]);
    expect(checked).toBeGreaterThan(100_000);
    console.log(`decoder: ${binary}: ${checked} instructions matched iced-x86, ${outsideBaseline} outside the baseline raised #UD; the translator decoded ${translatorDecoded} itself`);
  });
});
