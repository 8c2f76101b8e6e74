/**
 * Test-only harness that runs a static x86-64 Linux ELF on X86Core: a minimal loader that
 * builds real page tables (PageTableBuilder) and the initial stack with auxv, plus a syscall
 * shim with just what static glibc/musl programs need to print and exit (write, writev,
 * brk, mmap, arch_prctl, uname, exit_group, ...; ENOSYS for the rest). It is not a kernel and
 * stays in the tests.
 */

import { Access, type CpuPlatform } from "../../../src/cpu-wiring.ts";
import { UserExit } from "../../../src/machine.ts";
import { X86Core, X86Context, CPUID_1_EDX } from "../../../src/cpu/index.ts";
import { Mmu } from "../../../src/mmu/mmu.ts";
import { PageTableBuilder } from "../../support/page-tables.ts";

const PAGE = 4096;
const TWO_POW_32 = 4294967296;
const STACK_TOP = 0x7fff_ffff_f000;
const STACK_SIZE = 1 << 20;
const MMAP_BASE = 0x7f00_0000_0000;
const ENOSYS = -38;

export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
  readonly instructions: number;
}

export class GuestFault extends Error {}

export interface RunOptions {
  readonly argv?: readonly string[];
  readonly ramBytes?: number;
  readonly maxInstructions?: number;
  readonly stdin?: Uint8Array;
  /** CoreOptions.compileThreshold (default: the core's). */
  readonly compileThreshold?: number;
}

/** A loaded process: RAM, page tables, the core and its context. */
export class GuestProcess {
  readonly ram: Uint8Array;
  readonly tables: PageTableBuilder;
  readonly mmu: Mmu;
  readonly core: X86Core;
  readonly context: X86Context;
  private nextFrame: number;
  private brkStart = 0;
  private brkCurrent = 0;
  private mmapNext = MMAP_BASE;
  private readonly stdout: number[] = [];
  private readonly stderr: number[] = [];
  private stdin: Uint8Array;
  private tsc = 0;

  constructor(elf: Uint8Array, options: RunOptions = {}) {
    const ramBytes = options.ramBytes ?? 256 << 20;
    this.ram = new Uint8Array(ramBytes);
    this.tables = new PageTableBuilder(this.ram, 0x10_0000);
    this.nextFrame = 0x100_0000;
    this.mmu = new Mmu(this.ram);
    this.mmu.cr3 = this.tables.cr3;
    const platform: CpuPlatform = {
      pollInterval: 1 << 20,
      poll: () => false,
      readTsc: () => (this.tsc += 1000),
    };
    const threshold = options.compileThreshold;
    this.core = new X86Core(this.ram, this.mmu, platform, threshold === undefined ? {} : { compileThreshold: threshold });
    this.context = this.core.createContext();
    this.stdin = options.stdin ?? new Uint8Array(0);
    this.load(elf, options.argv ?? ["program"]);
  }

  private allocateFrame(): number {
    const frame = this.nextFrame;
    if (frame + PAGE > this.ram.length) throw new GuestFault("out of guest RAM");
    this.nextFrame += PAGE;
    this.ram.fill(0, frame, frame + PAGE);
    return frame;
  }

  /** Maps fresh zeroed pages over [start, end) (already-mapped pages are kept). */
  mapRange(start: number, end: number, writable = true): void {
    for (let page = start - (start % PAGE); page < end; page += PAGE) {
      const entry = this.tables.entryAddress(page, 1);
      if (entry >= 0 && (this.tables.low(entry) & 1) !== 0) continue;
      this.tables.map(page, this.allocateFrame(), { writable });
    }
    this.core.onTranslationChange();
  }

  private physical(address: number, access: Access): number {
    const physical = this.mmu.translate(address, access);
    if (physical < 0) throw new GuestFault(`bad guest pointer 0x${address.toString(16)}`);
    return physical;
  }

  readBytes(address: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = this.ram[this.physical(address + i, Access.Read)] ?? 0;
    return out;
  }

  writeBytes(address: number, bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) this.ram[this.physical(address + i, Access.Write)] = bytes[i] ?? 0;
  }

  read64(address: number): number {
    const b = this.readBytes(address, 8);
    const view = new DataView(b.buffer);
    return view.getUint32(4, true) * TWO_POW_32 + view.getUint32(0, true);
  }

  write64(address: number, value: number): void {
    const b = new Uint8Array(8);
    const view = new DataView(b.buffer);
    view.setUint32(0, value % TWO_POW_32, true);
    view.setUint32(4, Math.floor(value / TWO_POW_32), true);
    this.writeBytes(address, b);
  }

  private readCString(address: number): string {
    const bytes: number[] = [];
    for (let a = address; ; a++) {
      const byte = this.readBytes(a, 1)[0] ?? 0;
      if (byte === 0) break;
      bytes.push(byte);
    }
    return Buffer.from(bytes).toString();
  }

  private load(elf: Uint8Array, argv: readonly string[]): void {
    const view = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);
    if (view.getUint32(0, false) !== 0x7f454c46) throw new GuestFault("not an ELF file");
    const type = view.getUint16(16, true);
    const bias = type === 3 ? 0x40_0000 : 0;
    const entry = Number(view.getBigUint64(24, true)) + bias;
    const phoff = Number(view.getBigUint64(32, true));
    const phentsize = view.getUint16(54, true);
    const phnum = view.getUint16(56, true);
    let phdrAddress = 0;
    let highest = 0;
    for (let i = 0; i < phnum; i++) {
      const ph = phoff + i * phentsize;
      const kind = view.getUint32(ph, true);
      const offset = Number(view.getBigUint64(ph + 8, true));
      const vaddr = Number(view.getBigUint64(ph + 16, true)) + bias;
      const filesz = Number(view.getBigUint64(ph + 32, true));
      const memsz = Number(view.getBigUint64(ph + 40, true));
      if (kind === 6) phdrAddress = vaddr;
      if (kind !== 1) continue;
      this.mapRange(vaddr, vaddr + memsz);
      this.writeBytes(vaddr, elf.subarray(offset, offset + filesz));
      if (offset <= phoff && phoff < offset + filesz && phdrAddress === 0) phdrAddress = vaddr + (phoff - offset);
      highest = Math.max(highest, vaddr + memsz);
    }
    this.brkStart = Math.ceil(highest / PAGE) * PAGE;
    this.brkCurrent = this.brkStart;
    this.buildStack(argv, entry, phdrAddress, phnum);
  }

  private buildStack(argv: readonly string[], entry: number, phdr: number, phnum: number): void {
    this.mapRange(STACK_TOP - STACK_SIZE, STACK_TOP);
    let sp = STACK_TOP;
    const pushString = (text: string): number => {
      const bytes = Buffer.from(`${text}\0`);
      sp -= bytes.length;
      this.writeBytes(sp, bytes);
      return sp;
    };
    const argvAddresses = argv.map(pushString);
    const envAddresses = ["HOME=/", "PATH=/bin", "LANG=C"].map(pushString);
    const platform = pushString("x86_64");
    sp -= 16;
    const random = sp;
    this.writeBytes(random, Uint8Array.from({ length: 16 }, (_, i) => (i * 37 + 11) & 0xff));
    sp -= sp % 16;
    const auxv: [number, number][] = [
      [3, phdr], [4, 56], [5, phnum], [6, PAGE], [9, entry], [11, 0], [12, 0], [13, 0], [14, 0],
      [15, platform], [16, CPUID_1_EDX], [17, 100], [23, 0], [25, random], [26, 0], [31, argvAddresses[0] ?? 0], [0, 0],
    ];
    const words: number[] = [argv.length, ...argvAddresses, 0, ...envAddresses, 0, ...auxv.flat()];
    if (words.length % 2 !== 0) sp -= 8;
    sp -= words.length * 8;
    words.forEach((word, i) => this.write64(sp + i * 8, word));
    this.context.rip = entry;
    this.context.gprLo[4] = sp % TWO_POW_32 | 0;
    this.context.gprHi[4] = Math.floor(sp / TWO_POW_32);
  }

  /** Runs until exit; throws GuestFault on an unexpected exception. */
  run(maxInstructions = 2e9): RunResult {
    const core = this.core;
    const ctx = this.context;
    for (;;) {
      const exit = core.run(ctx);
      if (core.instructionsRetired > maxInstructions) throw new GuestFault("instruction limit reached");
      if (exit === UserExit.Exception) {
        throw new GuestFault(
          `exception ${core.exceptionVector} (error ${core.errorCode}, cr2 0x${core.faultAddress.toString(16)}) at rip 0x${ctx.rip.toString(16)}`,
        );
      }
      if (exit !== UserExit.Syscall) continue;
      const exitCode = this.syscall();
      if (exitCode !== undefined) {
        return {
          stdout: Buffer.from(this.stdout).toString("latin1"),
          stderr: Buffer.from(this.stderr).toString("latin1"),
          exitCode,
          instructions: core.instructionsRetired,
        };
      }
    }
  }

  private arg(index: number): number {
    const register = [7, 6, 2, 10, 8, 9][index] ?? 7;
    return (this.context.gprHi[register] ?? 0) * TWO_POW_32 + ((this.context.gprLo[register] ?? 0) >>> 0);
  }

  private setResult(value: number): void {
    this.context.gprLo[0] = value | 0;
    this.context.gprHi[0] = value < 0 ? -1 : Math.floor(value / TWO_POW_32);
  }

  /** Handles one syscall; returns the exit code when the program ends. */
  private syscall(): number | undefined {
    const number = this.context.gprLo[0] ?? 0;
    switch (number) {
      case 0: {
        const length = Math.min(this.arg(2), this.stdin.length);
        this.writeBytes(this.arg(1), this.stdin.subarray(0, length));
        this.stdin = this.stdin.subarray(length);
        this.setResult(length);
        return undefined;
      }
      case 1:
        this.output(this.arg(0), this.readBytes(this.arg(1), this.arg(2)));
        this.setResult(this.arg(2));
        return undefined;
      case 20: {
        let total = 0;
        for (let i = 0; i < this.arg(2); i++) {
          const base = this.read64(this.arg(1) + i * 16);
          const length = this.read64(this.arg(1) + i * 16 + 8);
          this.output(this.arg(0), this.readBytes(base, length));
          total += length;
        }
        this.setResult(total);
        return undefined;
      }
      case 60:
      case 231:
        return this.arg(0) & 0xff;
      case 12: {
        const requested = this.arg(0);
        if (requested > this.brkCurrent) this.mapRange(this.brkCurrent, Math.ceil(requested / PAGE) * PAGE);
        if (requested >= this.brkStart) this.brkCurrent = requested;
        this.setResult(this.brkCurrent);
        return undefined;
      }
      case 9: {
        const length = Math.ceil(this.arg(1) / PAGE) * PAGE;
        const address = this.mmapNext;
        this.mmapNext += length + PAGE;
        this.mapRange(address, address + length);
        this.setResult(address);
        return undefined;
      }
      case 158: {
        const code = this.arg(0);
        if (code === 0x1002) this.context.fsBase = this.arg(1);
        else if (code === 0x1001) this.context.gsBase = this.arg(1);
        else if (code === 0x1003) this.write64(this.arg(1), this.context.fsBase);
        else {
          this.setResult(-22);
          return undefined;
        }
        this.setResult(0);
        return undefined;
      }
      case 63: {
        const fields = ["Linux", "asterism", "6.1.0", "#1", "x86_64", "(none)"];
        fields.forEach((field, i) => this.writeBytes(this.arg(0) + i * 65, Buffer.from(`${field}\0`)));
        this.setResult(0);
        return undefined;
      }
      case 16:
        this.setResult(-25);
        return undefined;
      case 10:
      case 11:
      case 13:
      case 14:
      case 273:
        this.setResult(0);
        return undefined;
      case 218:
        this.setResult(1);
        return undefined;
      case 102: case 104: case 107: case 108:
        this.setResult(0);
        return undefined;
      default:
        this.setResult(ENOSYS);
        return undefined;
    }
  }

  private output(fd: number, bytes: Uint8Array): void {
    const target = fd === 2 ? this.stderr : this.stdout;
    for (const byte of bytes) target.push(byte);
  }
}
