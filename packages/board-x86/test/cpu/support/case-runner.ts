/**
 * Runs instruction-level cases on X86Core: the code page (instruction, NOP padding, INT3) and
 * the data page sit at the same virtual addresses as in the native harness, and the state
 * travels in the harness's binary layout so both results compare byte for byte.
 */

import { X86Core, type X86Context } from "../../../src/cpu/index.ts";
import { ExceptionVector, UserExit } from "../../../src/machine.ts";
import { Mmu } from "../../../src/mmu/mmu.ts";
import { PageTableBuilder } from "../../support/page-tables.ts";
import { CASE_SIZE, CODE_ADDRESS, DATA_ADDRESS, Layout } from "./instruction-cases.ts";

const CODE_FRAME = 0x20_0000;
const DATA_FRAME = 0x20_1000;
const STACK_FRAME = 0x20_2000;
const STACK_ADDRESS = 0x3000_0000;

export class CaseRunner {
  private readonly ram = new Uint8Array(4 << 20);
  private readonly core: X86Core;
  private readonly context: X86Context;

  /** `compileThreshold` as in CoreOptions: 1 runs every case as translated code, Infinity interprets. */
  constructor(compileThreshold: number) {
    const tables = new PageTableBuilder(this.ram, 0x10_0000);
    tables.map(CODE_ADDRESS, CODE_FRAME);
    tables.map(DATA_ADDRESS, DATA_FRAME);
    tables.map(STACK_ADDRESS, STACK_FRAME);
    const mmu = new Mmu(this.ram);
    mmu.cr3 = tables.cr3;
    this.core = new X86Core(this.ram, mmu, { pollInterval: 1000, poll: () => false, readTsc: () => 0 }, { compileThreshold });
    this.context = this.core.createContext();
  }

  /** Executes the case in `state` (harness layout) and overwrites it with the result; returns the exit description. */
  run(state: Uint8Array): string {
    const view = new DataView(state.buffer, state.byteOffset, CASE_SIZE);
    const ctx = this.context;
    for (let r = 0; r < 16; r++) {
      ctx.gprLo[r] = view.getInt32(Layout.gpr + r * 8, true);
      ctx.gprHi[r] = view.getInt32(Layout.gpr + r * 8 + 4, true);
    }
    ctx.gprLo[4] = STACK_ADDRESS + 0x800;
    ctx.gprHi[4] = 0;
    ctx.rflags = view.getUint32(Layout.rflags, true);
    ctx.restoreFpu(state.subarray(Layout.fpu, Layout.fpu + 512));
    ctx.xmmBytes.set(state.subarray(Layout.xmm, Layout.xmm + 256));
    ctx.mxcsr = view.getUint32(Layout.mxcsr, true);
    this.ram.set(state.subarray(Layout.code, Layout.code + 16), CODE_FRAME);
    this.ram[CODE_FRAME + 16] = 0xcc;
    this.ram.set(state.subarray(Layout.mem, Layout.mem + 256), DATA_FRAME);
    ctx.rip = CODE_ADDRESS;
    const exit = this.core.run(ctx);
    const outcome = exit === UserExit.Exception && this.core.exceptionVector === ExceptionVector.Breakpoint
      ? "ok"
      : `exit ${exit} vector ${this.core.exceptionVector} at 0x${ctx.rip.toString(16)}`;
    for (let r = 0; r < 16; r++) {
      view.setInt32(Layout.gpr + r * 8, ctx.gprLo[r] ?? 0, true);
      view.setInt32(Layout.gpr + r * 8 + 4, ctx.gprHi[r] ?? 0, true);
    }
    view.setUint32(Layout.rflags, ctx.rflags, true);
    view.setUint32(Layout.rflags + 4, 0, true);
    state.set(ctx.xmmBytes.subarray(0, 256), Layout.xmm);
    state.set(this.ram.subarray(DATA_FRAME, DATA_FRAME + 256), Layout.mem);
    view.setUint32(Layout.mxcsr, ctx.mxcsr, true);
    ctx.saveFpu(state.subarray(Layout.fpu, Layout.fpu + 512));
    return outcome;
  }
}
