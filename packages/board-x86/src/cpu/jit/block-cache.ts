/**
 * Basic blocks keyed by the RAM index of their first byte, decoded once and translated to
 * JavaScript once they have run `COMPILE_THRESHOLD` times (colder blocks are interpreted:
 * translating code that runs once costs more than interpreting it).
 *
 * Staleness is handled with an epoch (`GuestMemory.codeEpoch`): a block may run without
 * checks only if it was validated in the current epoch. The epoch advances when the core
 * starts a `run` (the kernel may have rewritten any frame or page table meanwhile), when the
 * board reports a translation change, and when a guest store hits a frame code was decoded
 * from. Validation re-translates nothing (the caller looked the block up by its current
 * translation) and compares the block's bytes with a copy taken when it was decoded, so
 * freed-and-reused frames, `execve` and self-modifying code are all seen. A store that
 * rewrites later instructions of the block being executed takes effect when that block
 * ends, not mid-block.
 */

import type { CoreState } from "../core-state.ts";
import { compileBlock, type CompiledBlock } from "./compile.ts";
import { addTranslation, findTranslation } from "./translation-cache.ts";
import { decodeInsn, Op, resolveRipRelative, type Insn } from "./decode.ts";

/**
 * Executions after which a block is translated. Translating costs V8 a compile and then runs
 * in its bytecode interpreter until it tiers up, so only blocks this warm gain: measured on
 * the kernel's busybox and bash script tests and on bench:cpu, 256 is faster than 16 and 64
 * on the first and as fast on the second.
 */
export const COMPILE_THRESHOLD = 256;
/** The most instructions one block holds. */
const MAX_BLOCK_INSTRUCTIONS = 64;

export class Block {
  /** Instructions retired by a complete execution (an interpreted tail included). */
  readonly count: number;
  /** Copy of the decoded bytes (the tail, which the interpreter reads itself, excluded). */
  private readonly bytes: Uint8Array;
  private insns: readonly Insn[] | null;
  compiled: CompiledBlock | null = null;
  runs = 0;
  epoch: number;
  /** Successors by exit (taken, fall-through, computed, side exits), valid while their epoch is current. */
  taken: Block | null = null;
  fallThrough: Block | null = null;
  computed: Block | null = null;
  /** The computed exit's successor before `computed`. */
  computedBefore: Block | null = null;
  readonly sideExits: (Block | null)[];

  readonly rip: number;
  readonly phys: number;

  constructor(rip: number, phys: number, insns: readonly Insn[], ram: Uint8Array, epoch: number) {
    this.rip = rip;
    this.phys = phys;
    this.insns = insns;
    this.count = insns.length;
    const branches = insns.filter((insn, index) => insn.op === Op.Jcc && index < insns.length - 1).length;
    this.sideExits = new Array<Block | null>(branches).fill(null);
    const decoded = insns.reduce((total, insn) => total + (insn.op === Op.Tail ? 0 : insn.length), 0);
    this.bytes = ram.slice(phys, phys + decoded);
    this.epoch = epoch;
  }

  /** Whether translation can gain anything (a lone interpreted instruction cannot). */
  get translatable(): boolean {
    return this.insns !== null && (this.insns.length > 1 || this.insns[0]?.op !== Op.Tail);
  }

  /** Whether RAM still holds the bytes the block was decoded from. */
  matches(ram: Uint8Array): boolean {
    const bytes = this.bytes;
    const phys = this.phys;
    for (let i = 0; i < bytes.length; i++) {
      if (ram[phys + i] !== bytes[i]) return false;
    }
    return true;
  }

  compile(): void {
    if (this.insns === null) return;
    this.compiled = findTranslation(this.rip, this.count, this.bytes) ?? compileBlock(this.insns);
    addTranslation(this.rip, this.count, this.bytes, this.compiled);
    this.insns = null;
  }

  /**
   * Takes over the translation of an identical block if one exists: the same program run
   * again, or another process running it, starts translated without waiting to be warm.
   */
  adoptTranslation(): void {
    if (this.insns === null || !this.translatable) return;
    const known = findTranslation(this.rip, this.count, this.bytes);
    if (known === undefined) return;
    this.compiled = known;
    this.insns = null;
  }
}

/** Decodes the block starting at `rip` (RAM index `phys`); it never crosses its code page. */
export function decodeBlock(core: CoreState, rip: number, phys: number): Block {
  const ram = core.ram;
  const pageEnd = Math.min(phys - (phys & 0xfff) + 4096, ram.length);
  const insns: Insn[] = [];
  let position = phys;
  let address = rip;
  for (;;) {
    const insn = decodeInsn(ram, position, pageEnd, address);
    resolveRipRelative(insn);
    insns.push(insn);
    if (endsBlock(insn.op)) break;
    // A branch back into the block closes a loop: end here, so the loop head starts a block.
    if (insn.op === Op.Jcc && insn.target >= rip && insn.target <= address) break;
    position += insn.length;
    address += insn.length;
    if (insns.length >= MAX_BLOCK_INSTRUCTIONS || position >= pageEnd) break;
  }
  const block = new Block(rip, phys, insns, ram, core.codeEpoch);
  block.adoptTranslation();
  return block;
}

/** Conditional branches do not end a block: they are side exits (compile.ts). */
function endsBlock(op: Op): boolean {
  return (
    op === Op.Tail ||
    op === Op.Jmp ||
    op === Op.Call ||
    op === Op.Ret ||
    op === Op.JmpIndirect ||
    op === Op.CallIndirect
  );
}
