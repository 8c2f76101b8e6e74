/**
 * The SSE/SSE2 data movement and packed-integer forms the translator emits as lane
 * arithmetic on the XMM file's int32 view: what compilers vectorize integer loops into
 * (sha-style message schedules, memset/memcpy/strlen bodies) and what copies doubles around.
 * The interpreter (sse-*.ts) remains the reference: every form here is in the instruction
 * proof, which runs translated too.
 *
 * Lanes are `X[slot * 4 + i]`; a memory source is first copied into slot 16, as the
 * interpreter does, so every form reads its operands the same way.
 */

import type { Emitter, Pair } from "./emitter.ts";
import type { Insn } from "./decode.ts";

export const SseKind = {
  Load128Aligned: 0,
  Load128: 1,
  Store128Aligned: 2,
  Store128: 3,
  Xor: 4,
  Or: 5,
  And: 6,
  AndNot: 7,
  AddD: 8,
  SubD: 9,
  AddQ: 10,
  SubQ: 11,
  /** PSRLD/PSRAD/PSLLD by imm8 (the ModRM reg field picks which). */
  ShiftD: 12,
  /** PSRLQ/PSLLQ by imm8. */
  ShiftQ: 13,
  ShuffleD: 14,
  UnpackLowD: 15,
  UnpackHighD: 16,
  UnpackLowQ: 17,
  UnpackHighQ: 18,
  /** MOVD/MOVQ xmm, r/m (66 0F 6E). */
  MovdToXmm: 19,
  /** MOVD/MOVQ r/m, xmm (66 0F 7E). */
  MovdFromXmm: 20,
  /** MOVQ xmm, xmm/m64 (F3 0F 7E). */
  MovqLoad: 21,
  /** MOVQ xmm/m64, xmm (66 0F D6). */
  MovqStore: 22,
  UnpackLowB: 23,
  UnpackHighB: 24,
  UnpackLowW: 25,
  UnpackHighW: 26,
  /** PACKUSWB: signed words to unsigned bytes with saturation. */
  PackUnsignedB: 27,
  /** PSRLW/PSRAW/PSLLW by imm8 (the ModRM reg field picks which). */
  ShiftW: 28,
  /** PSHUFLW (F2) and PSHUFHW (F3). */
  ShuffleLowW: 29,
  ShuffleHighW: 30,
} as const;

/** Mandatory-prefix classes of the 0F map. */
const NONE = 0;
const P66 = 1;
const PF3 = 2;
const PF2 = 3;

const TABLE = new Map<number, number>([
  [(P66 << 8) | 0x6f, SseKind.Load128Aligned],
  [(PF3 << 8) | 0x6f, SseKind.Load128],
  [(P66 << 8) | 0x7f, SseKind.Store128Aligned],
  [(PF3 << 8) | 0x7f, SseKind.Store128],
  [(NONE << 8) | 0x28, SseKind.Load128Aligned],
  [(P66 << 8) | 0x28, SseKind.Load128Aligned],
  [(NONE << 8) | 0x29, SseKind.Store128Aligned],
  [(P66 << 8) | 0x29, SseKind.Store128Aligned],
  [(NONE << 8) | 0x10, SseKind.Load128],
  [(P66 << 8) | 0x10, SseKind.Load128],
  [(NONE << 8) | 0x11, SseKind.Store128],
  [(P66 << 8) | 0x11, SseKind.Store128],
  [(NONE << 8) | 0x57, SseKind.Xor],
  [(P66 << 8) | 0x57, SseKind.Xor],
  [(P66 << 8) | 0xef, SseKind.Xor],
  [(NONE << 8) | 0x56, SseKind.Or],
  [(P66 << 8) | 0x56, SseKind.Or],
  [(P66 << 8) | 0xeb, SseKind.Or],
  [(NONE << 8) | 0x54, SseKind.And],
  [(P66 << 8) | 0x54, SseKind.And],
  [(P66 << 8) | 0xdb, SseKind.And],
  [(NONE << 8) | 0x55, SseKind.AndNot],
  [(P66 << 8) | 0x55, SseKind.AndNot],
  [(P66 << 8) | 0xdf, SseKind.AndNot],
  [(P66 << 8) | 0xfe, SseKind.AddD],
  [(P66 << 8) | 0xfa, SseKind.SubD],
  [(P66 << 8) | 0xd4, SseKind.AddQ],
  [(P66 << 8) | 0xfb, SseKind.SubQ],
  [(P66 << 8) | 0x72, SseKind.ShiftD],
  [(P66 << 8) | 0x73, SseKind.ShiftQ],
  [(P66 << 8) | 0x70, SseKind.ShuffleD],
  [(P66 << 8) | 0x62, SseKind.UnpackLowD],
  [(P66 << 8) | 0x6a, SseKind.UnpackHighD],
  [(P66 << 8) | 0x6c, SseKind.UnpackLowQ],
  [(P66 << 8) | 0x6d, SseKind.UnpackHighQ],
  [(P66 << 8) | 0x6e, SseKind.MovdToXmm],
  [(P66 << 8) | 0x7e, SseKind.MovdFromXmm],
  [(PF3 << 8) | 0x7e, SseKind.MovqLoad],
  [(P66 << 8) | 0xd6, SseKind.MovqStore],
  [(P66 << 8) | 0x60, SseKind.UnpackLowB],
  [(P66 << 8) | 0x68, SseKind.UnpackHighB],
  [(P66 << 8) | 0x61, SseKind.UnpackLowW],
  [(P66 << 8) | 0x69, SseKind.UnpackHighW],
  [(P66 << 8) | 0x67, SseKind.PackUnsignedB],
  [(P66 << 8) | 0x71, SseKind.ShiftW],
  [(PF2 << 8) | 0x70, SseKind.ShuffleLowW],
  [(PF3 << 8) | 0x70, SseKind.ShuffleHighW],
]);

/** The translated kind of 0F `opcode` under its mandatory prefix, or -1. */
export function sseKind(prefix66: boolean, rep: number, opcode: number): number {
  if (rep !== 0 && prefix66) return -1;
  const prefixClass = rep === 0xf3 ? PF3 : rep === 0xf2 ? PF2 : prefix66 ? P66 : NONE;
  return TABLE.get((prefixClass << 8) | opcode) ?? -1;
}

/** Whether the decoded operands are a form `emitSseKind` handles (others are interpreted). */
export function sseFormSupported(kind: number, insn: Insn): boolean {
  const selector = insn.reg & 7;
  if (kind === SseKind.ShiftD) return insn.rm >= 0 && (selector === 2 || selector === 4 || selector === 6);
  if (kind === SseKind.ShiftQ) return insn.rm >= 0 && (selector === 2 || selector === 6);
  if (kind === SseKind.ShiftW) return insn.rm >= 0 && (selector === 2 || selector === 4 || selector === 6);
  return true;
}

/** Does the form read an imm8 after its ModRM operand? */
export function sseHasImm8(kind: number): boolean {
  return (
    kind === SseKind.ShiftD ||
    kind === SseKind.ShiftQ ||
    kind === SseKind.ShiftW ||
    kind === SseKind.ShuffleD ||
    kind === SseKind.ShuffleLowW ||
    kind === SseKind.ShuffleHighW
  );
}

const SOURCE_SLOT = 16;

/** The lane base of the r/m operand: its register, or slot 16 after loading 16 bytes. */
function sourceLanes(e: Emitter, insn: Insn, aligned: boolean): number {
  if (insn.rm >= 0) return insn.rm * 4;
  e.load128(e.address(insn), SOURCE_SLOT, aligned);
  return SOURCE_SLOT * 4;
}

/**
 * PSRLD/PSRAD/PSLLD (`bits` 32) and PSRLW/PSRAW/PSLLW (16) of a register by imm8 (the ModRM
 * reg field picks which); counts past the lane width clear it, or fill it with the sign.
 */
function emitLaneShift(e: Emitter, insn: Insn, bits: 16 | 32): void {
  const [unsigned, signed] = bits === 32 ? ["X", "X"] : ["X16", "XS16"];
  const lanes = 128 / bits;
  const target = insn.rm * lanes;
  const count = insn.imm & 0xff;
  const selector = insn.reg & 7;
  const lane = (i: number): string => {
    if (selector === 4) return `${signed}[${target + i}] >> ${Math.min(count, bits - 1)}`;
    if (count > bits - 1) return "0";
    return selector === 2 ? `${unsigned}[${target + i}] >>> ${count}` : `${unsigned}[${target + i}] << ${count}`;
  };
  e.emit(Array.from({ length: lanes }, (_, i) => `${unsigned}[${target + i}] = ${lane(i)};`).join(" "));
}

/** Assigns elements `base..` of typed view `view` from expressions evaluated before any is stored. */
function setElements(e: Emitter, view: string, base: number, values: readonly string[]): void {
  const temporaries = values.map((value) => e.let(value));
  e.emit(temporaries.map((value, i) => `${view}[${base + i}] = ${value};`).join(" "));
}

/**
 * A 16-byte move between registers (MOVAPS/MOVAPD/MOVDQA/MOVUPS/MOVDQU): the low double goes
 * through the scalar cache (scalar-cache.ts), since scalar-double code copies registers this
 * way, and the high lane is copied as a float64 (two int32 stores read back as one double
 * would stall the host's store forwarding; float64 copies keep NaN payloads).
 */
function moveRegister(e: Emitter, from: number, to: number): void {
  e.scalars.write(to, e.scalars.read(from));
  e.emit(`F[${to * 2 + 1}] = F[${from * 2 + 1}];`);
}

export function emitSseKind(e: Emitter, insn: Insn, kind: number): void {
  e.usesXmm = true;
  const store = kind === SseKind.Store128Aligned || kind === SseKind.Store128;
  if (insn.rm >= 0 && (store || kind === SseKind.Load128Aligned || kind === SseKind.Load128)) {
    moveRegister(e, store ? insn.reg : insn.rm, store ? insn.rm : insn.reg);
    return;
  }
  // Everything else reads or writes the XMM file directly.
  e.scalars.drop();
  const d = insn.reg * 4;
  switch (kind) {
    case SseKind.Load128Aligned:
    case SseKind.Load128:
      e.load128(e.address(insn), insn.reg, kind === SseKind.Load128Aligned);
      return;
    case SseKind.Store128Aligned:
    case SseKind.Store128:
      e.store128(e.address(insn), insn.reg, kind === SseKind.Store128Aligned);
      return;
    case SseKind.Xor:
    case SseKind.Or:
    case SseKind.And:
    case SseKind.AndNot:
    case SseKind.AddD:
    case SseKind.SubD: {
      if (kind === SseKind.Xor && insn.rm === insn.reg) {
        e.emit(`F[${insn.reg * 2}] = 0; F[${insn.reg * 2 + 1}] = 0;`);
        return;
      }
      const s = sourceLanes(e, insn, true);
      const lane = (i: number): string => {
        const a = `X[${d + i}]`;
        const b = `X[${s + i}]`;
        if (kind === SseKind.Xor) return `${a} ^ ${b}`;
        if (kind === SseKind.Or) return `${a} | ${b}`;
        if (kind === SseKind.And) return `${a} & ${b}`;
        if (kind === SseKind.AndNot) return `~${a} & ${b}`;
        return kind === SseKind.AddD ? `(${a} + ${b}) | 0` : `(${a} - ${b}) | 0`;
      };
      e.emit([0, 1, 2, 3].map((i) => `X[${d + i}] = ${lane(i)};`).join(" "));
      return;
    }
    case SseKind.AddQ:
    case SseKind.SubQ: {
      const s = sourceLanes(e, insn, true);
      const lanes: string[] = [];
      for (const q of [0, 2]) {
        const pair: Pair = [`X[${d + q}]`, `X[${d + q + 1}]`];
        const other: Pair = [`X[${s + q}]`, `X[${s + q + 1}]`];
        const [low, high] = kind === SseKind.AddQ ? e.add(pair[0], pair[1], other[0], other[1]) : e.subtract(pair, other);
        lanes.push(low, high);
      }
      e.emit(lanes.map((value, i) => `X[${d + i}] = ${value};`).join(" "));
      return;
    }
    case SseKind.ShiftD:
      emitLaneShift(e, insn, 32);
      return;
    case SseKind.ShiftQ: {
      const target = insn.rm * 4;
      const count = insn.imm & 0xff;
      const left = (insn.reg & 7) === 6;
      const lanes: string[] = [];
      for (const q of [0, 2]) {
        const low = `X[${target + q}]`;
        const high = `X[${target + q + 1}]`;
        if (count > 63) lanes.push("0", "0");
        else if (count === 0) lanes.push(low, high);
        else if (left && count >= 32) lanes.push("0", e.let(`${low} << ${count - 32}`));
        else if (left) lanes.push(e.let(`${low} << ${count}`), e.let(`(${high} << ${count}) | (${low} >>> ${32 - count})`));
        else if (count >= 32) lanes.push(e.let(`${high} >>> ${count - 32}`), "0");
        else lanes.push(e.let(`(${low} >>> ${count}) | (${high} << ${32 - count})`), e.let(`${high} >>> ${count}`));
      }
      e.emit(lanes.map((value, i) => `X[${target + i}] = ${value};`).join(" "));
      return;
    }
    case SseKind.ShuffleD: {
      const s = sourceLanes(e, insn, true);
      const order = insn.imm & 0xff;
      setElements(e, "X", d, [0, 1, 2, 3].map((i) => `X[${s + ((order >> (2 * i)) & 3)}]`));
      return;
    }
    case SseKind.UnpackLowD:
    case SseKind.UnpackHighD:
    case SseKind.UnpackLowQ:
    case SseKind.UnpackHighQ: {
      const s = sourceLanes(e, insn, true);
      const h = kind === SseKind.UnpackHighD || kind === SseKind.UnpackHighQ ? 2 : 0;
      const dwords = kind === SseKind.UnpackLowD || kind === SseKind.UnpackHighD;
      const lanes = dwords ? [d + h, s + h, d + h + 1, s + h + 1] : [d + h, d + h + 1, s + h, s + h + 1];
      setElements(e, "X", d, lanes.map((lane) => `X[${lane}]`));
      return;
    }
    case SseKind.UnpackLowB:
    case SseKind.UnpackHighB:
    case SseKind.UnpackLowW:
    case SseKind.UnpackHighW: {
      const s = sourceLanes(e, insn, true);
      const bytes = kind === SseKind.UnpackLowB || kind === SseKind.UnpackHighB;
      const high = kind === SseKind.UnpackHighB || kind === SseKind.UnpackHighW;
      // Interleave the low (or high) halves of destination and source, element by element.
      const view = bytes ? "X8" : "X16";
      const per = bytes ? 16 : 8;
      const from = high ? per / 2 : 0;
      const d0 = (d / 4) * per;
      const s0 = (s / 4) * per;
      const lanes = Array.from({ length: per }, (_, i) => `${view}[${(i % 2 === 0 ? d0 : s0) + from + (i >> 1)}]`);
      setElements(e, view, d0, lanes);
      return;
    }
    case SseKind.PackUnsignedB: {
      const s = sourceLanes(e, insn, true);
      const saturate = (word: string): string => e.let(`${word} < 0 ? 0 : ${word} > 255 ? 255 : ${word}`);
      const words = [...Array.from({ length: 8 }, (_, i) => `XS16[${(d / 4) * 8 + i}]`), ...Array.from({ length: 8 }, (_, i) => `XS16[${(s / 4) * 8 + i}]`)];
      setElements(e, "X8", (d / 4) * 16, words.map(saturate));
      return;
    }
    case SseKind.ShiftW:
      emitLaneShift(e, insn, 16);
      return;
    case SseKind.ShuffleLowW:
    case SseKind.ShuffleHighW: {
      const s = sourceLanes(e, insn, true);
      const order = insn.imm & 0xff;
      const shuffled = kind === SseKind.ShuffleLowW ? 0 : 4;
      const words = Array.from({ length: 8 }, (_, i) => {
        const inHalf = i >= shuffled && i < shuffled + 4;
        return `X16[${(s / 4) * 8 + (inHalf ? shuffled + ((order >> (2 * (i - shuffled))) & 3) : i)}]`;
      });
      setElements(e, "X16", (d / 4) * 8, words);
      return;
    }
    case SseKind.MovdToXmm: {
      const [low, high] = insn.rm >= 0 ? e.readRegister(insn.size, insn.rm, insn.rex) : e.load(insn.size, e.address(insn), false);
      e.emit(`X[${d}] = ${low}; X[${d + 1}] = ${insn.size === 8 ? high : "0"}; X[${d + 2}] = 0; X[${d + 3}] = 0;`);
      return;
    }
    case SseKind.MovdFromXmm: {
      const value: Pair = [e.let(`X[${d}]`), insn.size === 8 ? e.let(`X[${d + 1}]`) : "0"];
      if (insn.rm >= 0) e.writeRegister(insn.size, insn.rm, insn.rex, value);
      else e.store(insn.size, e.address(insn), value);
      return;
    }
    case SseKind.MovqLoad: {
      const [low, high] = insn.rm >= 0 ? [e.let(`X[${insn.rm * 4}]`), e.let(`X[${insn.rm * 4 + 1}]`)] : e.load(8, e.address(insn), false);
      e.emit(`X[${d}] = ${low}; X[${d + 1}] = ${high}; X[${d + 2}] = 0; X[${d + 3}] = 0;`);
      return;
    }
    default:
      if (insn.rm >= 0) e.emit(`X[${insn.rm * 4}] = X[${d}]; X[${insn.rm * 4 + 1}] = X[${d + 1}]; X[${insn.rm * 4 + 2}] = 0; X[${insn.rm * 4 + 3}] = 0;`);
      else e.store(8, e.address(insn), [`X[${d}]`, `X[${d + 1}]`]);
  }
}
