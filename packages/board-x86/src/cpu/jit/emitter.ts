/**
 * The code generator's machinery: the JavaScript it writes keeps guest registers in local
 * int32 variables (`aN` low half, `bN` high half, loaded once per block and stored back on
 * every exit), computes effective addresses as int32 halves, probes the core's data TLB
 * inline, and knows the last flag-setting operation symbolically so that a following
 * `jcc`/`setcc`/`cmovcc` becomes one JavaScript comparison.
 *
 * Values are JavaScript expressions over int32 locals: 1- and 2-byte values are
 * zero-extended, 4-byte values are int32, 8-byte values are (low, high) pairs. Everything an
 * instruction computes goes into fresh `const` temporaries before any register is assigned,
 * and memory is written last, so a fault leaves the guest state as it was before the
 * instruction (the same atomicity the interpreter gives).
 */

import { FlagKind } from "../lazy-flags.ts";
import { TLB_ENTRIES, TLB_SLOT_SIZE, TlbField } from "../guest-memory.ts";
import { ExceptionVector } from "../../machine.ts";
import { DOUBLE_COMPARE, fusedCondition, type FlagState } from "./conditions.ts";
import { Segment, type Insn } from "./decode.ts";
import { ScalarCache } from "./scalar-cache.ts";

/** A value as (low, high) int32 expressions; `high` is "0" below 8 bytes. */
export type Pair = readonly [string, string];

/**
 * Marks where every register the block assigns is stored back, and reloaded, around an
 * instruction the interpreter runs in place. All of them, not just those assigned so far:
 * in a looping block, later instructions of the previous iteration assigned the rest.
 */
const WRITE_BACK_MARK = "\u0000write-back\u0000";
const RELOAD_MARK = "\u0000reload\u0000";

const GENERAL_PROTECTION = ExceptionVector.GeneralProtection;
const ACCESS_READ = 0;
const ACCESS_WRITE = 1;

export class Emitter {
  readonly lines: string[] = [];
  /** RAM index of the block's first byte at translation time; code refers to `P` + offset. */
  readonly blockPhys: number;
  private readonly used = new Set<number>();
  private readonly written = new Set<number>();
  private temporaries = 0;
  private flags: FlagState | null = null;
  usesXmm = false;
  usesSegment = false;
  /** XMM low doubles in locals (scalar-cache.ts). */
  readonly scalars = new ScalarCache((line) => {
    this.emit(line);
  });

  constructor(blockPhys: number) {
    this.blockPhys = blockPhys;
  }

  temp(): string {
    return `t${this.temporaries++}`;
  }

  /** Binds `expression` to a new constant and returns its name. */
  let(expression: string): string {
    const name = this.temp();
    this.lines.push(`const ${name} = ${expression};`);
    return name;
  }

  emit(line: string): void {
    this.lines.push(line);
  }

  // ---- registers ----

  low(register: number): string {
    this.used.add(register);
    return `a${register}`;
  }

  high(register: number): string {
    this.used.add(register);
    return `b${register}`;
  }

  /** Reads a register of `size` bytes into temporaries. */
  readRegister(size: number, register: number, rex: boolean): Pair {
    switch (size) {
      case 8:
        return [this.let(this.low(register)), this.let(this.high(register))];
      case 4:
        return [this.let(this.low(register)), "0"];
      case 2:
        return [this.let(`${this.low(register)} & 65535`), "0"];
      default:
        if (!rex && register >= 4 && register < 8) return [this.let(`(${this.low(register - 4)} >> 8) & 255`), "0"];
        return [this.let(`${this.low(register)} & 255`), "0"];
    }
  }

  /** Writes a register with x86-64 semantics (32-bit writes clear the high half). */
  writeRegister(size: number, register: number, rex: boolean, value: Pair): void {
    if (size === 1 && !rex && register >= 4 && register < 8) {
      const target = this.low(register - 4);
      this.written.add(register - 4);
      this.emit(`${target} = (${target} & -65281) | ((${value[0]} & 255) << 8);`);
      return;
    }
    const low = this.low(register);
    this.written.add(register);
    switch (size) {
      case 8:
        this.emit(`${low} = ${value[0]}; ${this.high(register)} = ${value[1]};`);
        return;
      case 4:
        this.emit(`${low} = ${value[0]}; ${this.high(register)} = 0;`);
        return;
      case 2:
        this.emit(`${low} = (${low} & -65536) | (${value[0]} & 65535);`);
        return;
      default:
        this.emit(`${low} = (${low} & -256) | (${value[0]} & 255);`);
    }
  }

  /**
   * Runs the interpreter on the instruction in place, with the register file in sync around
   * it. `keepScalars` when it reads but never writes XMM registers and is emitted inside a
   * branch: cached doubles are stored without changing what the cache knows.
   */
  interpretInPlace(insn: Insn, keepScalars = false): void {
    if (keepScalars) this.emit(this.scalars.storeCode());
    else this.scalars.drop();
    this.emit(WRITE_BACK_MARK);
    this.emit(`core.executeAt(P + ${insn.phys - this.blockPhys}, ${insn.rip}, ${insn.length});`);
    if (insn.writesGprs) this.emit(RELOAD_MARK);
    this.flags = null;
  }

  // ---- memory ----

  /** The effective address of the instruction's memory operand, as int32 halves. */
  address(insn: Insn, withSegment = true): Pair {
    let low: string;
    let high: string;
    if (insn.ripRelative) {
      low = String(insn.absoluteLow);
      high = String(insn.absoluteHigh);
    } else {
      [low, high] = this.baseAndIndex(insn);
      if (insn.displacement !== 0) [low, high] = this.add(low, high, String(insn.displacement), String(insn.displacement >> 31));
    }
    if (withSegment && insn.segment !== Segment.None) {
      this.usesSegment = true;
      const base = insn.segment === Segment.Fs ? "fs" : "gs";
      [low, high] = this.add(low, high, `${base}Low`, `${base}High`);
    }
    return [low, high];
  }

  private baseAndIndex(insn: Insn): [string, string] {
    let low = "0";
    let high = "0";
    if (insn.index >= 0) {
      const indexLow = this.low(insn.index);
      const indexHigh = this.high(insn.index);
      const s = insn.scale;
      low = s === 0 ? indexLow : this.let(`${indexLow} << ${s}`);
      high = s === 0 ? indexHigh : this.let(`(${indexHigh} << ${s}) | (${indexLow} >>> ${32 - s})`);
    }
    if (insn.base >= 0) {
      if (insn.index < 0) return [this.let(this.low(insn.base)), this.let(this.high(insn.base))];
      return this.add(this.low(insn.base), this.high(insn.base), low, high);
    }
    return [low, high];
  }

  /** 64-bit addition of two (low, high) pairs of int32 expressions. */
  add(aLow: string, aHigh: string, bLow: string, bHigh: string): [string, string] {
    const low = this.let(`(${aLow} + ${bLow}) | 0`);
    const high = this.let(`(${aHigh} + ${bHigh} + ((${low} >>> 0) < (${aLow} >>> 0) ? 1 : 0)) | 0`);
    return [low, high];
  }

  /** 64-bit subtraction a - b of (low, high) pairs. */
  subtract(a: Pair, b: Pair): [string, string] {
    const low = this.let(`(${a[0]} - ${b[0]}) | 0`);
    return [low, this.let(`(${a[1]} - ${b[1]} - ((${a[0]} >>> 0) < (${b[0]} >>> 0) ? 1 : 0)) | 0`)];
  }

  /**
   * The inline data-TLB probe (GuestMemory.tlb): `slot` names the slot's first int32, `hit`
   * is true when the read ("R") or write ("W") entry maps the page and the access stays in it.
   */
  private probe(tlb: "R" | "W", address: Pair, size: number): { slot: string; hit: string } {
    const [low, high] = address;
    const slot = this.let(`((${low} >>> 12) & ${TLB_ENTRIES - 1}) * ${TLB_SLOT_SIZE}`);
    const tag = tlb === "R" ? TlbField.readTagLow : TlbField.writeTagLow;
    const inPage = size > 1 ? ` && (${low} & 4095) <= ${4096 - size}` : "";
    return { slot, hit: `T[${slot} + ${tag}] === (${low} & -4096) && T[${slot} + ${tag + 1}] === ${high}${inPage}` };
  }

  /** The RAM index of an access that hit the probe. */
  private physical(tlb: "R" | "W", slot: string, address: Pair): string {
    return `T[${slot} + ${tlb === "R" ? TlbField.readFrame : TlbField.writeFrame}] + (${address[0]} & 4095)`;
  }

  /** Loads `size` bytes; `forWrite` translates for writing (read-modify-write instructions). */
  load(size: number, address: Pair, forWrite: boolean): Pair {
    this.scalars.store();
    const tlb = forWrite ? "W" : "R";
    const { slot, hit } = this.probe(tlb, address, size);
    const where = this.physical(tlb, slot, address);
    const access = forWrite ? ACCESS_WRITE : ACCESS_READ;
    const slow = `core.readSplit(${size}, ${address[0]}, ${address[1]}, ${access})`;
    if (size === 8) {
      const low = this.temp();
      const high = this.temp();
      this.emit(
        `let ${low}, ${high}; if (${hit}) { const p = ${where}; ${low} = DV.getInt32(p, true); ${high} = DV.getInt32(p + 4, true); } else { ${low} = ${slow}; ${high} = core.valHi; }`,
      );
      return [low, high];
    }
    const read = size === 1 ? `RAM[${where}]` : size === 2 ? `DV.getUint16(${where}, true)` : `DV.getInt32(${where}, true)`;
    return [this.let(`${hit} ? ${read} : ${slow}`), "0"];
  }

  store(size: number, address: Pair, value: Pair): void {
    this.scalars.store();
    const { slot, hit } = this.probe("W", address, size);
    const where = this.physical("W", slot, address);
    let fast: string;
    if (size === 8) fast = `const p = ${where}; DV.setInt32(p, ${value[0]}, true); DV.setInt32(p + 4, ${value[1]}, true);`;
    else if (size === 4) fast = `DV.setInt32(${where}, ${value[0]}, true);`;
    else if (size === 2) fast = `DV.setUint16(${where}, ${value[0]}, true);`;
    else fast = `RAM[${where}] = ${value[0]};`;
    this.emit(`if (${hit}) { ${fast} } else { core.writeSplit(${size}, ${address[0]}, ${address[1]}, ${value[0]}, ${value[1]}); }`);
  }

  /**
   * Loads a double into f64 lane `lane` of the XMM file as one 8-byte access (two int32
   * stores read back as a double would stall the host's store forwarding). A float64 load
   * and store copy NaN payloads bit for bit; the instruction proof checks signaling NaNs.
   */
  loadDouble(address: Pair, lane: number): void {
    this.usesXmm = true;
    this.scalars.store();
    const { slot, hit } = this.probe("R", address, 8);
    this.emit(
      `if (${hit}) { F[${lane}] = DV.getFloat64(${this.physical("R", slot, address)}, true); } else { X[${lane * 2}] = core.readSplit(8, ${address[0]}, ${address[1]}, ${ACCESS_READ}); X[${lane * 2 + 1}] = core.valHi; }`,
    );
  }

  /** MOVSD xmm, m64: the double goes to XMM `register`'s local (the high lane is cleared by the caller). */
  loadScalar(address: Pair, register: number): void {
    this.usesXmm = true;
    this.scalars.store();
    const { slot, hit } = this.probe("R", address, 8);
    const lanes = register * 4;
    this.emit(
      `if (${hit}) { x${register} = DV.getFloat64(${this.physical("R", slot, address)}, true); } else { X[${lanes}] = core.readSplit(8, ${address[0]}, ${address[1]}, ${ACCESS_READ}); X[${lanes + 1}] = core.valHi; x${register} = F[${register * 2}]; }`,
    );
    this.scalars.assigned(register);
  }

  /**
   * Loads 16 bytes into XMM slot `slot`; `aligned` forms raise #GP off a 16-byte boundary.
   * Moved as two float64s (see `loadDouble`), so double arithmetic reading them back is
   * forwarded by the host; integer lanes read from a wider store forward too.
   */
  load128(address: Pair, slot: number, aligned: boolean): void {
    this.usesXmm = true;
    this.scalars.store();
    if (aligned) this.emit(`if ((${address[0]} & 15) !== 0) core.raise(${GENERAL_PROTECTION});`);
    const { slot: entry, hit } = this.probe("R", address, 16);
    const lanes = `F[${slot * 2}] = DV.getFloat64(p, true); F[${slot * 2 + 1}] = DV.getFloat64(p + 8, true);`;
    this.emit(`if (${hit}) { const p = ${this.physical("R", entry, address)}; ${lanes} } else { core.read128Split(${address[0]}, ${address[1]}, ${slot}); }`);
  }

  /** Stores XMM slot `slot` to 16 bytes of memory (nothing is written if any page faults). */
  store128(address: Pair, slot: number, aligned: boolean): void {
    this.usesXmm = true;
    this.scalars.store();
    if (aligned) this.emit(`if ((${address[0]} & 15) !== 0) core.raise(${GENERAL_PROTECTION});`);
    const { slot: entry, hit } = this.probe("W", address, 16);
    const lanes = `DV.setFloat64(p, F[${slot * 2}], true); DV.setFloat64(p + 8, F[${slot * 2 + 1}], true);`;
    this.emit(`if (${hit}) { const p = ${this.physical("W", entry, address)}; ${lanes} } else { core.write128Split(${address[0]}, ${address[1]}, ${slot}); }`);
  }

  // ---- flags ----

  /** Records an arithmetic result (kind Add/Sub/Inc/Dec) for lazy evaluation. */
  recordArithmetic(insn: Insn, kind: FlagKind, size: number, a: Pair, b: Pair, result: Pair): void {
    if (insn.flagsNeeded) {
      if (kind === FlagKind.Inc || kind === FlagKind.Dec) this.emit("core.carryIn = core.getCF();");
      let line = `core.flagKind = ${kind}; core.flagSize = ${size}; core.srcALo = ${a[0]}; core.srcBLo = ${b[0]}; core.resLo = ${result[0]};`;
      if (size === 8) line += ` core.srcAHi = ${a[1]}; core.srcBHi = ${b[1]}; core.resHi = ${result[1]};`;
      this.emit(line);
    }
    this.flags = { kind, size, a, b, result };
  }

  recordLogic(insn: Insn, size: number, result: Pair): void {
    if (insn.flagsNeeded) {
      this.emit(`core.flagKind = ${FlagKind.Logic}; core.flagSize = ${size}; core.resLo = ${result[0]}; core.resHi = ${result[1]};`);
    }
    this.flags = { kind: FlagKind.Logic, size, a: ["0", "0"], b: ["0", "0"], result };
  }

  /** UCOMISD/COMISD of doubles `a` and `b` set ZF/PF/CF (OF/SF/AF clear). */
  recordDoubleCompare(a: string, b: string): void {
    this.flags = { kind: DOUBLE_COMPARE, size: 8, a: [a, "0"], b: [b, "0"], result: ["0", "0"] };
  }

  /** The flags are no longer known symbolically (an instruction computed them another way). */
  forgetFlags(): void {
    this.flags = null;
  }

  /** A JavaScript boolean expression for condition code `cc`. */
  condition(cc: number): string {
    const test = this.flags === null ? null : fusedCondition(this.flags, cc >> 1);
    if (test === null) return `core.condition(${cc})`;
    return (cc & 1) === 0 ? `(${test})` : `!(${test})`;
  }

  // ---- assembly ----

  /**
   * The function source: prologue (register loads), the body inside try, and the exits.
   * `count` instructions retire per complete pass; a side exit records how many of its pass
   * retired in `done`. A block that branches back to its own start (`loops`) repeats its
   * body inside the function, registers staying in locals, while the branch is taken, its
   * budget `B` (instructions until the next poll) allows another pass and no code was
   * invalidated.
   */
  assemble(count: number, epilogue: string, loops: boolean): string {
    const registers = [...this.used].sort((x, y) => x - y);
    const declarations = registers.map((r) => `a${r} = L[${r}], b${r} = H[${r}]`).join(", ");
    const reload = registers.map((r) => `a${r} = L[${r}]; b${r} = H[${r}];`).join(" ");
    const writeBack = [...this.written].map((r) => `L[${r}] = a${r}; H[${r}] = b${r};`).join(" ");
    const prologue = [
      "const L = core.gprLo, H = core.gprHi, RAM = core.ram, DV = core.view, T = core.tlb;",
      "let n = 0, x = 1, done = 0, passes = 0;",
    ];
    if (declarations !== "") prologue.push(`let ${declarations};`);
    if (this.usesXmm) prologue.push("const C = core.ctx, X = C.xmmInt32, F = C.xmmFloat64, X16 = C.xmmUint16, XS16 = C.xmmInt16, X8 = C.xmmBytes;");
    const scalarLocals = this.scalars.declarations();
    if (scalarLocals !== "") prologue.push(scalarLocals);
    if (this.usesSegment) {
      prologue.push("const fsLow = core.ctx.fsBase | 0, fsHigh = (core.ctx.fsBase / 4294967296) | 0;");
      prologue.push("const gsLow = core.ctx.gsBase | 0, gsHigh = (core.ctx.gsBase / 4294967296) | 0;");
    }
    if (loops) prologue.push("const epoch = core.codeEpoch;");
    const body = this.lines.map((line) => (line === RELOAD_MARK ? reload : line === WRITE_BACK_MARK ? writeBack : line));
    const repeat = `if (x !== 0 || (B -= ${count}) < ${count} || core.codeEpoch !== epoch) break;`;
    return [
      ...prologue,
      "try {",
      loops ? "block: for (;;) {" : "block: {",
      ...body,
      "passes++;",
      ...(loops ? [repeat] : []),
      "}",
      "} catch (error) {",
      writeBack,
      `core.instructionsRetired += passes * ${count} + n; core.instructionRip = RIPS[n];`,
      "throw error;",
      "}",
      writeBack,
      `core.instructionsRetired += passes * ${count} + done;`,
      epilogue,
    ].join("\n");
  }
}
