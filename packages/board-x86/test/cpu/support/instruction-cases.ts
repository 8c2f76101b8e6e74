/**
 * Generates instruction-level test cases: an encoding plus a random machine state, and the
 * mask of flags the architecture defines for that form (undefined flags are not compared).
 * The same cases run natively (harness/instruction-harness.c) and on X86Core.
 */

export const CASE_SIZE = 1184;
export const Layout = { gpr: 0, rflags: 128, xmm: 136, mem: 392, code: 648, mxcsr: 664, signal: 668, fpu: 672 } as const;
export const CODE_ADDRESS = 0x2000_0000;
export const DATA_ADDRESS = 0x1000_0000;

export interface InstructionCase {
  readonly name: string;
  readonly bytes: Uint8Array;
  /** RFLAGS bits compared after execution. */
  readonly flagsMask: number;
}

const CF = 1, PF = 4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800;
const ALL = CF | PF | AF | ZF | SF | OF;

/** A deterministic xorshift generator. */
export class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0 || 1;
  }
  next32(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state;
  }
  below(n: number): number {
    return this.next32() % n;
  }
  pick<T>(items: readonly T[]): T {
    const item = items[this.below(items.length)];
    if (item === undefined) throw new Error("pick from empty list");
    return item;
  }
  /** An interesting 32-bit word: random, small, or an edge value. */
  word(): number {
    switch (this.below(6)) {
      case 0: return this.pick([0, 1, 0xffffffff, 0x80000000, 0x7fffffff, 0xff, 0x80, 0x7f, 0xffff, 0x8000]);
      case 1: return this.below(64);
      default: return this.next32();
    }
  }
}

/** General registers used as operands: everything but RSP (the stack) and RBX (the memory base). */
const REGS = [0, 1, 2, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15] as const;

interface Operands {
  readonly rex: number;
  readonly modrm: number[];
  /** RIP-relative: the data offset the operand must reach (the disp32 is patched in `encode`). */
  readonly ripTarget?: number;
}

/** ModRM for register `reg` and either register `rm` or the memory operand [rbx + disp8]. */
function operands(random: Random, memory: boolean, byteRegs = false): Operands {
  const legal = byteRegs ? REGS.filter((r) => r < 4 || r >= 8) : REGS;
  const reg = random.pick(legal);
  if (memory) {
    const displacement = random.below(120);
    if (random.below(2) === 0) {
      // RIP-relative: [rip + disp32] reaching the same data page from the code page.
      return { rex: reg >= 8 ? 4 : 0, modrm: [((reg & 7) << 3) | 5, 0, 0, 0, 0], ripTarget: displacement };
    }
    return { rex: reg >= 8 ? 4 : 0, modrm: [0x40 | ((reg & 7) << 3) | 3, displacement] };
  }
  const rm = random.pick(legal);
  return { rex: (reg >= 8 ? 4 : 0) | (rm >= 8 ? 1 : 0), modrm: [0xc0 | ((reg & 7) << 3) | (rm & 7)] };
}

/** Encodes [prefixes] [REX] opcode modrm... for operand size 1/2/4/8. */
function encode(size: number, opcode: number[], ops: Operands, extra: number[] = [], forceRex = false): Uint8Array {
  const bytes: number[] = [];
  if (size === 2) bytes.push(0x66);
  const rex = ops.rex | (size === 8 ? 8 : 0);
  if (rex !== 0 || forceRex) bytes.push(0x40 | rex);
  bytes.push(...opcode, ...ops.modrm, ...extra);
  if (ops.ripTarget !== undefined) {
    // The displacement is relative to the end of the instruction, immediates included.
    const at = bytes.length - extra.length - 4;
    const displacement = DATA_ADDRESS + ops.ripTarget - (CODE_ADDRESS + bytes.length);
    for (let i = 0; i < 4; i++) bytes[at + i] = (displacement >>> (8 * i)) & 0xff;
  }
  return Uint8Array.from(bytes);
}

function withReg(ops: Operands, reg: number): Operands {
  const first = ops.modrm[0] ?? 0;
  const modrm = [(first & ~0x38) | (reg << 3), ...ops.modrm.slice(1)];
  return ops.ripTarget === undefined ? { rex: ops.rex & ~4, modrm } : { rex: ops.rex & ~4, modrm, ripTarget: ops.ripTarget };
}

function immediate(random: Random, size: number): number[] {
  const value = random.word();
  const count = size === 1 ? 1 : size === 2 ? 2 : 4;
  return Array.from({ length: count }, (_, i) => (value >>> (8 * i)) & 0xff);
}

const SIZES = [1, 2, 4, 8] as const;

export function generateIntegerCases(random: Random, perForm: number): InstructionCase[] {
  const cases: InstructionCase[] = [];
  const add = (name: string, bytes: Uint8Array, flagsMask = ALL): void => {
    cases.push({ name, bytes, flagsMask });
  };
  for (let n = 0; n < perForm; n++) {
    for (const size of SIZES) {
      const wide = size === 1 ? 0 : 1;
      for (let op = 0; op < 8; op++) {
        const memory = random.below(2) === 0;
        const ops = operands(random, memory, size === 1 && random.below(2) === 0);
        const logic = op === 1 || op === 4 || op === 6;
        const mask = logic ? ALL & ~AF : ALL;
        add(`alu${op}/${size} r/m,r`, encode(size, [op * 8 + wide], ops), mask);
        add(`alu${op}/${size} r,r/m`, encode(size, [op * 8 + 2 + wide], ops), mask);
        add(`alu${op}/${size} r/m,imm`, encode(size, [size === 1 ? 0x80 : 0x81], withReg(ops, op), immediate(random, size)), mask);
        if (size !== 1) add(`alu${op}/${size} r/m,imm8`, encode(size, [0x83], withReg(ops, op), immediate(random, 1)), mask);
        add(`alu${op}/${size} acc,imm`, encode(size, [op * 8 + 4 + wide], { rex: 0, modrm: [] }, immediate(random, size)), mask);
      }
      const ops = operands(random, random.below(2) === 0, size === 1);
      const f6 = size === 1 ? 0xf6 : 0xf7;
      add(`test/${size}`, encode(size, [0x84 + wide], ops), ALL & ~AF);
      add(`test imm/${size}`, encode(size, [f6], withReg(ops, 0), immediate(random, size)), ALL & ~AF);
      add(`not/${size}`, encode(size, [f6], withReg(ops, 2)));
      add(`neg/${size}`, encode(size, [f6], withReg(ops, 3)));
      add(`inc/${size}`, encode(size, [size === 1 ? 0xfe : 0xff], withReg(ops, 0)));
      add(`dec/${size}`, encode(size, [size === 1 ? 0xfe : 0xff], withReg(ops, 1)));
      add(`mul/${size}`, encode(size, [f6], withReg(ops, 4)), CF | OF);
      add(`imul1/${size}`, encode(size, [f6], withReg(ops, 5)), CF | OF);
      add(`xchg/${size}`, encode(size, [0x86 + wide], ops));
      add(`mov r/m,r/${size}`, encode(size, [0x88 + wide], ops));
      add(`mov r,r/m/${size}`, encode(size, [0x8a + wide], ops));
      add(`xadd/${size}`, encode(size, [0x0f, 0xc0 + wide], ops));
      add(`cmpxchg/${size}`, encode(size, [0x0f, 0xb0 + wide], ops));
      for (let kind = 0; kind < 8; kind++) {
        if (kind === 6) continue;
        const count = random.pick([0, 1, 2, 7, 8, 15, 16, 31, 32, 33, 63, random.below(256)]);
        const masked = count & (size === 8 ? 63 : 31);
        let mask = ALL;
        if (masked !== 0) {
          if (masked !== 1) mask &= ~OF;
          if (kind >= 4) {
            mask &= ~AF;
            if (masked >= size * 8) mask &= ~CF;
          }
        }
        const c0 = size === 1 ? 0xc0 : 0xc1;
        add(`shift${kind}/${size} imm ${count}`, encode(size, [c0], withReg(ops, kind), [count]), mask);
        add(`shift${kind}/${size} 1`, encode(size, [size === 1 ? 0xd0 : 0xd1], withReg(ops, kind)), kind < 4 ? ALL : ALL & ~AF);
        // By CL: the count is random, so only CF/ZF/SF/PF of non-rotates are always comparable.
        add(`shift${kind}/${size} cl`, encode(size, [size === 1 ? 0xd2 : 0xd3], withReg(ops, kind)), 0);
      }
      if (size !== 1) {
        const imulOps = operands(random, random.below(2) === 0);
        add(`imul2/${size}`, encode(size, [0x0f, 0xaf], imulOps), CF | OF);
        add(`imul3/${size}`, encode(size, [0x69], imulOps, immediate(random, size)), CF | OF);
        add(`imul3b/${size}`, encode(size, [0x6b], imulOps, immediate(random, 1)), CF | OF);
        add(`bsf/${size}`, encode(size, [0x0f, 0xbc], imulOps), ZF);
        add(`bsr/${size}`, encode(size, [0x0f, 0xbd], imulOps), ZF);
        const regOnly = operands(random, false);
        for (let k = 0; k < 4; k++) {
          add(`bt${k}/${size} r`, encode(size, [0x0f, 0xa3 + k * 8], regOnly), CF);
          add(`bt${k}/${size} imm`, encode(size, [0x0f, 0xba], withReg(imulOps, 4 + k), [random.below(256)]), CF);
        }
        const count = random.below(size * 8);
        const shMask = ALL & ~AF & (count === 1 ? ALL : ~OF);
        add(`shld/${size} ${count}`, encode(size, [0x0f, 0xa4], imulOps, [count]), count === 0 ? ALL : shMask);
        add(`shrd/${size} ${count}`, encode(size, [0x0f, 0xac], imulOps, [count]), count === 0 ? ALL : shMask);
        for (let cc = 0; cc < 16; cc++) add(`cmov${cc}/${size}`, encode(size, [0x0f, 0x40 + cc], imulOps));
        add(`movzx8/${size}`, encode(size, [0x0f, 0xb6], imulOps));
        add(`movsx8/${size}`, encode(size, [0x0f, 0xbe], imulOps));
        add(`movzx16/${size}`, encode(size, [0x0f, 0xb7], imulOps));
        add(`movsx16/${size}`, encode(size, [0x0f, 0xbf], imulOps));
        add(`lea/${size}`, encode(size, [0x8d], { rex: 0, modrm: [0x44 | (random.pick([0, 1, 2, 5, 6, 7]) << 3), (random.below(4) << 6) | (random.pick([0, 1, 2, 5, 6, 7]) << 3) | random.pick([0, 1, 2, 3, 6, 7]), random.below(256)] }));
        add(`cwd/${size}`, encode(size, [0x99], { rex: 0, modrm: [] }));
        add(`cbw/${size}`, encode(size, [0x98], { rex: 0, modrm: [] }));
      }
      if (size >= 4) {
        const r = random.pick(REGS);
        add(`bswap/${size}`, encode(size, [0x0f, 0xc8 + (r & 7)], { rex: r >= 8 ? 1 : 0, modrm: [] }));
        add(`movsxd/${size}`, encode(size, [0x63], operands(random, random.below(2) === 0)));
      }
    }
    for (let cc = 0; cc < 16; cc++) add(`set${cc}`, encode(1, [0x0f, 0x90 + cc], operands(random, random.below(2) === 0, true)));
    // CMP then SETcc: the core evaluates conditions straight from the compared operands.
    for (const size of SIZES) {
      for (let cc = 0; cc < 16; cc++) {
        const compare = encode(size, [size === 1 ? 0x38 : 0x39], operands(random, false, size === 1));
        const set = encode(1, [0x0f, 0x90 + cc], operands(random, false, true));
        add(`cmp+set${cc}/${size}`, Uint8Array.from([...compare, ...set]));
      }
    }
    add("cmc", Uint8Array.of(0xf5));
    add("stc", Uint8Array.of(0xf9));
    add("clc", Uint8Array.of(0xf8));
    add("lahf", Uint8Array.of(0x9f));
    add("sahf", Uint8Array.of(0x9e));
  }
  return cases;
}

/** Division cases need operands that do not fault: they are fixed up in `prepareState`. */
export function generateDivisionCases(random: Random, perForm: number): InstructionCase[] {
  const cases: InstructionCase[] = [];
  for (let n = 0; n < perForm; n++) {
    for (const size of SIZES) {
      for (const signed of [false, true]) {
        const reg = size === 1 ? random.pick([1, 2]) : random.pick([1, 5, 6, 7, 8, 9, 10, 11]);
        const ops: Operands = { rex: reg >= 8 ? 1 : 0, modrm: [0xc0 | ((signed ? 7 : 6) << 3) | (reg & 7)] };
        cases.push({ name: `${signed ? "idiv" : "div"}/${size} r${reg}`, bytes: encode(size, [size === 1 ? 0xf6 : 0xf7], ops), flagsMask: 0 });
      }
    }
  }
  return cases;
}

const SSE_FORMS: readonly { name: string; prefix: number; opcode: number; imm?: boolean; flags?: number; memoryOnly?: boolean }[] = [
  ...([
    ["movups", 0, 0x10], ["movups.st", 0, 0x11], ["movaps", 0, 0x28], ["movaps.st", 0, 0x29], ["movupd", 0x66, 0x10],
    ["movss.st", 0xf3, 0x11], ["movsd.st", 0xf2, 0x11], ["movdqa", 0x66, 0x6f], ["movdqa.st", 0x66, 0x7f],
    ["movdqu", 0xf3, 0x6f], ["movdqu.st", 0xf3, 0x7f], ["movq.st", 0x66, 0xd6],
  ] as const).map(([name, prefix, opcode]) => ({ name, prefix, opcode })),
  ...([
    ["movlps.st", 0, 0x13], ["movhps.st", 0, 0x17], ["movlpd", 0x66, 0x12], ["movhpd", 0x66, 0x16], ["movlpd.st", 0x66, 0x13],
    ["movhpd.st", 0x66, 0x17], ["movntdq", 0x66, 0xe7], ["movntps", 0, 0x2b],
  ] as const).map(([name, prefix, opcode]) => ({ name, prefix, opcode, memoryOnly: true })),
  ...[0x51, 0x58, 0x59, 0x5c, 0x5d, 0x5e, 0x5f].flatMap((opcode) =>
    [0, 0x66, 0xf2, 0xf3].map((prefix) => ({ name: `fp${opcode.toString(16)}`, prefix, opcode })),
  ),
  ...[0x54, 0x55, 0x56, 0x57, 0x14, 0x15].flatMap((opcode) => [0, 0x66].map((prefix) => ({ name: `ps${opcode.toString(16)}`, prefix, opcode }))),
  ...[0, 0x66, 0xf2, 0xf3].map((prefix) => ({ name: "cmp", prefix, opcode: 0xc2, imm: true })),
  ...[0, 0x66].flatMap((prefix) => [0x2e, 0x2f].map((opcode) => ({ name: `comis${opcode.toString(16)}`, prefix, opcode, flags: ALL }))),
  ...[0, 0x66].map((prefix) => ({ name: "shuf", prefix, opcode: 0xc6, imm: true })),
  { name: "cvtps2pd", prefix: 0, opcode: 0x5a },
  { name: "cvtpd2ps", prefix: 0x66, opcode: 0x5a },
  { name: "cvtss2sd", prefix: 0xf3, opcode: 0x5a },
  { name: "cvtsd2ss", prefix: 0xf2, opcode: 0x5a },
  { name: "cvtdq2ps", prefix: 0, opcode: 0x5b },
  { name: "cvtps2dq", prefix: 0x66, opcode: 0x5b },
  { name: "cvttps2dq", prefix: 0xf3, opcode: 0x5b },
  { name: "cvtdq2pd", prefix: 0xf3, opcode: 0xe6 },
  { name: "cvttpd2dq", prefix: 0x66, opcode: 0xe6 },
  { name: "cvtpd2dq", prefix: 0xf2, opcode: 0xe6 },
  { name: "movss", prefix: 0xf3, opcode: 0x10 },
  { name: "movsd", prefix: 0xf2, opcode: 0x10 },
  { name: "movhlps", prefix: 0, opcode: 0x12 },
  { name: "movlhps", prefix: 0, opcode: 0x16 },
  { name: "movq", prefix: 0xf3, opcode: 0x7e },
  { name: "pshufd", prefix: 0x66, opcode: 0x70, imm: true },
  { name: "pshufhw", prefix: 0xf3, opcode: 0x70, imm: true },
  { name: "pshuflw", prefix: 0xf2, opcode: 0x70, imm: true },
  ...[
    0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x74, 0x75, 0x76, 0xd1, 0xd2, 0xd3, 0xd4,
    0xd5, 0xd8, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0xe0, 0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe8, 0xe9, 0xea, 0xeb, 0xec, 0xed,
    0xee, 0xef, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe,
  ].map((opcode) => ({ name: `p${opcode.toString(16)}`, prefix: 0x66, opcode })),
];

export function generateSseCases(random: Random, perForm: number): InstructionCase[] {
  const cases: InstructionCase[] = [];
  for (let n = 0; n < perForm; n++) {
    for (const form of SSE_FORMS) {
      const reg = random.below(16);
      const rm = random.below(16);
      // A third of the cases use the memory operand [rbx + 16k] (16-byte aligned, as packed
      // SSE memory forms require).
      const memory = form.memoryOnly === true || random.below(3) === 0;
      const rexBits = (reg >= 8 ? 4 : 0) | (!memory && rm >= 8 ? 1 : 0);
      const bytes: number[] = [];
      if (form.prefix !== 0) bytes.push(form.prefix);
      if (rexBits !== 0) bytes.push(0x40 | rexBits);
      const ripRelative = memory && random.below(2) === 0;
      const target = 16 * random.below(8);
      if (ripRelative) bytes.push(0x0f, form.opcode, ((reg & 7) << 3) | 5, 0, 0, 0, 0);
      else if (memory) bytes.push(0x0f, form.opcode, 0x40 | ((reg & 7) << 3) | 3, target);
      else bytes.push(0x0f, form.opcode, 0xc0 | ((reg & 7) << 3) | (rm & 7));
      const displacementAt = bytes.length - 4;
      if (form.imm === true) bytes.push(form.opcode === 0xc2 ? random.below(8) : random.below(256));
      if (ripRelative) {
        const displacement = DATA_ADDRESS + target - (CODE_ADDRESS + bytes.length);
        for (let i = 0; i < 4; i++) bytes[displacementAt + i] = (displacement >>> (8 * i)) & 0xff;
      }
      cases.push({ name: `${form.name}/${form.prefix.toString(16)}`, bytes: Uint8Array.from(bytes), flagsMask: form.flags ?? ALL });
    }
    for (const [opcode, kinds] of [[0x71, [2, 4, 6]], [0x72, [2, 4, 6]], [0x73, [2, 3, 6, 7]]] as const) {
      for (const kind of kinds) {
        const rm = random.below(16);
        const bytes = [0x66, ...(rm >= 8 ? [0x41] : []), 0x0f, opcode, 0xc0 | (kind << 3) | (rm & 7), random.pick([0, 1, 3, 7, 8, 15, 16, 31, 32, 63, 64, 200])];
        cases.push({ name: `pshift${opcode.toString(16)}/${kind}`, bytes: Uint8Array.from(bytes), flagsMask: ALL });
      }
    }
    const gpr = random.pick(REGS);
    const xmm = random.below(16);
    const rex = (xmm >= 8 ? 4 : 0) | (gpr >= 8 ? 1 : 0);
    const modrm = 0xc0 | ((xmm & 7) << 3) | (gpr & 7);
    for (const [name, prefix, opcode, wide] of [
      ["cvtsi2sd", 0xf2, 0x2a, false], ["cvtsi2sd64", 0xf2, 0x2a, true], ["cvtsi2ss", 0xf3, 0x2a, false], ["cvtsi2ss64", 0xf3, 0x2a, true],
      ["movd", 0x66, 0x6e, false], ["movq", 0x66, 0x6e, true], ["movd.st", 0x66, 0x7e, false], ["movq.st", 0x66, 0x7e, true],
    ] as const) {
      const r = rex | (wide ? 8 : 0);
      cases.push({ name, bytes: Uint8Array.from([prefix, ...(r !== 0 ? [0x40 | r] : []), 0x0f, opcode, modrm]), flagsMask: ALL });
    }
    const toGpr = 0xc0 | ((gpr & 7) << 3) | (xmm & 7);
    const rexToGpr = (gpr >= 8 ? 4 : 0) | (xmm >= 8 ? 1 : 0);
    for (const [name, prefix, opcode, wide] of [
      ["cvttsd2si", 0xf2, 0x2c, false], ["cvttsd2si64", 0xf2, 0x2c, true], ["cvtsd2si", 0xf2, 0x2d, false], ["cvtsd2si64", 0xf2, 0x2d, true],
      ["cvttss2si", 0xf3, 0x2c, false], ["cvtss2si64", 0xf3, 0x2d, true], ["pmovmskb", 0x66, 0xd7, false], ["movmskps", 0, 0x50, false],
      ["movmskpd", 0x66, 0x50, false], ["pextrw", 0x66, 0xc5, false],
    ] as const) {
      const r = rexToGpr | (wide ? 8 : 0);
      const bytes = [...(prefix !== 0 ? [prefix] : []), ...(r !== 0 ? [0x40 | r] : []), 0x0f, opcode, toGpr];
      if (opcode === 0xc5) bytes.push(random.below(8));
      cases.push({ name, bytes: Uint8Array.from(bytes), flagsMask: ALL });
    }
  }
  return cases;
}

const SPECIAL_DOUBLES = [0, -0, 1, -1, 0.5, 1.5, 2.5, -2.5, Infinity, -Infinity, NaN, 1e308, 5e-324, 2 ** 31, -(2 ** 31) - 0.5, 2 ** 63, 1e10, 3.7, -1e-310] as const;

/** Fills a case buffer with the random machine state for `instruction`. */
export function prepareState(random: Random, instruction: InstructionCase, into: Uint8Array): void {
  const view = new DataView(into.buffer, into.byteOffset, CASE_SIZE);
  into.fill(0, 0, CASE_SIZE);
  for (let r = 0; r < 16; r++) {
    view.setUint32(Layout.gpr + r * 8, random.word(), true);
    view.setUint32(Layout.gpr + r * 8 + 4, random.below(3) === 0 ? 0 : random.word(), true);
  }
  view.setUint32(Layout.gpr + 3 * 8, DATA_ADDRESS, true);
  view.setUint32(Layout.gpr + 3 * 8 + 4, 0, true);
  view.setUint32(Layout.rflags, (random.next32() & ALL) | 0x202, true);
  for (let lane = 0; lane < 32; lane++) {
    const offset = Layout.xmm + lane * 8;
    switch (random.below(4)) {
      case 0:
        view.setFloat64(offset, random.pick(SPECIAL_DOUBLES), true);
        break;
      case 1:
        view.setFloat32(offset, random.pick(SPECIAL_DOUBLES), true);
        view.setFloat32(offset + 4, (random.next32() / 65536) * (random.below(2) === 0 ? 1 : -1), true);
        break;
      case 2:
        view.setFloat64(offset, (random.next32() - 2 ** 31) / (1 + random.below(1000)), true);
        break;
      default:
        view.setUint32(offset, random.word(), true);
        view.setUint32(offset + 4, random.word(), true);
    }
  }
  for (let i = 0; i < 256; i++) into[Layout.mem + i] = random.below(256);
  into.fill(0x90, Layout.code, Layout.code + 16);
  into.set(instruction.bytes, Layout.code);
  // SSE cases run under every rounding mode, with the sticky PE flag already set or clear.
  const roundingControl = instruction.flagsMask === ALL && random.below(2) === 0 ? random.below(4) << 13 : 0;
  view.setUint32(Layout.mxcsr, 0x1f80 | roundingControl | (random.below(2) === 0 ? 0x20 : 0), true);
  prepareFpu(random, instruction, into, view);
  if (instruction.name.startsWith("div") || instruction.name.startsWith("idiv")) fixDivision(random, instruction, view);
}

/** Makes a division case non-faulting: a non-zero divisor and a quotient that fits. */
function fixDivision(random: Random, instruction: InstructionCase, view: DataView): void {
  const match = /^(i?div)\/(\d) r(\d+)$/.exec(instruction.name);
  if (match === null) return;
  const signed = match[1] === "idiv";
  const size = Number(match[2]);
  const reg = Number(match[3]);
  const divisorLow = (random.word() | 1) >>> 0;
  const divisorHigh = size === 8 ? random.below(2) === 0 ? 0 : random.word() : 0;
  view.setUint32(Layout.gpr + reg * 8, divisorLow, true);
  view.setUint32(Layout.gpr + reg * 8 + 4, divisorHigh, true);
  // High half of the dividend: zero (or the sign of the low half), so the quotient always fits
  // once the divisor's magnitude is at least 2 (a divisor of +-1 is fine: quotient = dividend).
  const rax = Layout.gpr;
  const rdx = Layout.gpr + 16;
  if (size === 1) {
    const ax = signed ? (random.below(255) - 127) & 0xffff : random.below(256);
    view.setUint16(rax, ax, true);
    return;
  }
  if (!signed) {
    // A high half below the divisor keeps the quotient in range.
    const below = random.below(2) === 0 ? 0 : 1;
    if (size === 2) view.setUint16(rdx, below * ((divisorLow & 0xffff) - 1), true);
    else if (size === 4) view.setUint32(rdx, below * (divisorLow - 1), true);
    else {
      const high = divisorHigh >>> 0;
      view.setUint32(rdx, below * (high === 0 ? divisorLow - 1 : random.next32()), true);
      view.setUint32(rdx + 4, high === 0 ? 0 : below * (high - 1), true);
    }
    return;
  }
  const negative = random.below(2) === 0;
  if (size === 2) {
    view.setUint16(rax, random.below(0x4000) * (negative ? -1 : 1) & 0xffff, true);
    view.setUint16(rdx, negative ? 0xffff : 0, true);
  } else if (size === 4) {
    view.setInt32(rax, random.below(0x40000000) * (negative ? -1 : 1), true);
    view.setUint32(rdx, negative ? 0xffffffff : 0, true);
  } else {
    view.setInt32(rax + 4, random.below(0x40000000) * (negative ? -1 : 1), true);
    view.setUint32(rdx, negative ? 0xffffffff : 0, true);
    view.setUint32(rdx + 4, negative ? 0xffffffff : 0, true);
  }
}

/** Writes a random normal 80-bit value (exponent near 1) at `offset`. */
function randomExtended(random: Random, into: Uint8Array, offset: number): void {
  const kind = random.below(12);
  const view = new DataView(into.buffer, into.byteOffset + offset, 10);
  if (kind === 0) {
    view.setUint32(0, 0, true);
    view.setUint32(4, 0, true);
    view.setUint16(8, random.below(2) << 15, true);
    return;
  }
  view.setUint32(0, kind === 1 ? 0 : random.next32(), true);
  view.setUint32(4, (kind === 1 ? 0x80000000 : random.next32() | 0x80000000) >>> 0, true);
  const exponent = kind === 1 ? 0x3fff + random.below(64) : 0x3fff - 40 + random.below(80);
  view.setUint16(8, (random.below(2) << 15) | exponent, true);
}

/** x87 cases: a valid FXSAVE image with six registers in use and two free for pushes. */
function prepareFpu(random: Random, instruction: InstructionCase, into: Uint8Array, view: DataView): void {
  const fpu = Layout.fpu;
  const x87 = instruction.name.startsWith("x87");
  const roundingControl = x87 ? random.below(4) : 0;
  view.setUint16(fpu, 0x37f | (roundingControl << 10), true);
  view.setUint32(fpu + 24, view.getUint32(Layout.mxcsr, true), true);
  view.setUint32(fpu + 28, 0xffff, true);
  if (!x87) return;
  const top = random.below(8);
  view.setUint16(fpu + 2, top << 11, true);
  // ST(0)..ST(5) in use: physical registers top..top+5.
  let tags = 0;
  for (let i = 0; i < 6; i++) tags |= 1 << ((top + i) & 7);
  into[fpu + 4] = tags;
  for (let i = 0; i < 6; i++) randomExtended(random, into, fpu + 32 + i * 16);
  // Memory operands at [rbx + 16]: an 80-bit value, or a finite double/float for the m64/m32
  // forms (x87 NaN payloads are not modelled: see docs/cpu.md).
  randomExtended(random, into, Layout.mem + 16);
  const operand = (random.next32() - 2 ** 31) / (1 + random.below(1 << 20));
  if (instruction.name.includes("m64")) view.setFloat64(Layout.mem + 16, operand, true);
  if (instruction.name.includes("m32")) view.setFloat32(Layout.mem + 16, operand, true);
}

const X87_REGISTER_FORMS: readonly (readonly [string, number, number])[] = [
  ["x87 fadd", 0xd8, 0xc0], ["x87 fmul", 0xd8, 0xc8], ["x87 fcom", 0xd8, 0xd0], ["x87 fcomp", 0xd8, 0xd8],
  ["x87 fsub", 0xd8, 0xe0], ["x87 fsubr", 0xd8, 0xe8], ["x87 fdiv", 0xd8, 0xf0], ["x87 fdivr", 0xd8, 0xf8],
  ["x87 fadd st(i)", 0xdc, 0xc0], ["x87 fmul st(i)", 0xdc, 0xc8], ["x87 fsubr st(i)", 0xdc, 0xe0], ["x87 fsub st(i)", 0xdc, 0xe8],
  ["x87 fdivr st(i)", 0xdc, 0xf0], ["x87 fdiv st(i)", 0xdc, 0xf8], ["x87 faddp", 0xde, 0xc0], ["x87 fmulp", 0xde, 0xc8],
  ["x87 fsubrp", 0xde, 0xe0], ["x87 fsubp", 0xde, 0xe8], ["x87 fdivrp", 0xde, 0xf0], ["x87 fdivp", 0xde, 0xf8],
  ["x87 fld st(i)", 0xd9, 0xc0], ["x87 fxch", 0xd9, 0xc8], ["x87 fucomi", 0xdb, 0xe8], ["x87 fcomi", 0xdb, 0xf0],
  ["x87 fucomip", 0xdf, 0xe8], ["x87 fcomip", 0xdf, 0xf0], ["x87 fucom", 0xdd, 0xe0], ["x87 fucomp", 0xdd, 0xe8],
  ["x87 fst st(i)", 0xdd, 0xd0], ["x87 fstp st(i)", 0xdd, 0xd8], ["x87 fcmovb", 0xda, 0xc0], ["x87 fcmove", 0xda, 0xc8],
  ["x87 fcmovnbe", 0xdb, 0xd0], ["x87 fcmovnu", 0xdb, 0xd8],
];

const X87_FIXED_FORMS: readonly (readonly [string, readonly number[]])[] = [
  ["x87 fchs", [0xd9, 0xe0]], ["x87 fabs", [0xd9, 0xe1]], ["x87 ftst", [0xd9, 0xe4]], ["x87 fxam", [0xd9, 0xe5]],
  ["x87 fld1", [0xd9, 0xe8]], ["x87 fldl2t", [0xd9, 0xe9]], ["x87 fldl2e", [0xd9, 0xea]], ["x87 fldpi", [0xd9, 0xeb]],
  ["x87 fldlg2", [0xd9, 0xec]], ["x87 fldln2", [0xd9, 0xed]], ["x87 fldz", [0xd9, 0xee]], ["x87 fsqrt", [0xd9, 0xfa]],
  ["x87 frndint", [0xd9, 0xfc]], ["x87 fxtract", [0xd9, 0xf4]],
  ["x87 fdecstp", [0xd9, 0xf6]], ["x87 fincstp", [0xd9, 0xf7]], ["x87 fucompp", [0xda, 0xe9]], ["x87 fcompp", [0xde, 0xd9]],
  ["x87 fnstsw ax", [0xdf, 0xe0]], ["x87 fninit", [0xdb, 0xe3]],
  // Memory forms on [rbx + 16].
  ["x87 fld m32", [0xd9, 0x43, 16]], ["x87 fld m64", [0xdd, 0x43, 16]], ["x87 fld m80", [0xdb, 0x6b, 16]],
  ["x87 fst m32", [0xd9, 0x53, 16]], ["x87 fstp m64", [0xdd, 0x5b, 16]], ["x87 fstp m80", [0xdb, 0x7b, 16]],
  ["x87 fild m16", [0xdf, 0x43, 16]], ["x87 fild m32", [0xdb, 0x43, 16]], ["x87 fild m64", [0xdf, 0x6b, 16]],
  ["x87 fist m16", [0xdf, 0x53, 16]], ["x87 fistp m32", [0xdb, 0x5b, 16]], ["x87 fistp m64", [0xdf, 0x7b, 16]],
  ["x87 fisttp m32", [0xdb, 0x4b, 16]], ["x87 fisttp m64", [0xdd, 0x4b, 16]], ["x87 fadd m64", [0xdc, 0x43, 16]],
  ["x87 fmul m32", [0xd8, 0x4b, 16]], ["x87 fidiv m32", [0xda, 0x73, 16]], ["x87 fnstcw", [0xd9, 0x7b, 16]],
  ["x87 fcom m64", [0xdc, 0x53, 16]],
];

export function generateX87Cases(random: Random, perForm: number): InstructionCase[] {
  const cases: InstructionCase[] = [];
  for (let n = 0; n < perForm; n++) {
    for (const [name, opcode, base] of X87_REGISTER_FORMS) {
      const i = random.below(6);
      cases.push({ name: `${name} ${i}`, bytes: Uint8Array.of(opcode, base + i), flagsMask: ALL });
    }
    for (const [name, bytes] of X87_FIXED_FORMS) cases.push({ name, bytes: Uint8Array.from(bytes), flagsMask: ALL });
  }
  return cases;
}
