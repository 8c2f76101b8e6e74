/**
 * Basic blocks keyed by the RAM index of their first byte. A block starts cold: the
 * interpreter runs it, from its first instruction to the first taken jump, without
 * decoding it here. On its `ADOPT_RUNS`th run it is decoded, and takes over the translation
 * of an identical block if another process (or an earlier run) made one; on its
 * `COMPILE_THRESHOLD`th run it is translated. Most code in short-lived processes never gets
 * that far, and pays neither the decoding nor V8's compile.
 *
 * Staleness is handled with an epoch (`GuestMemory.codeEpoch`): a decoded block may run
 * without checks only if it was validated in the current epoch. The epoch advances when the
 * core starts a `run` (the kernel may have rewritten any frame or page table meanwhile), when
 * the board reports a translation change, and when a guest store hits a frame code was
 * decoded from. Validation re-translates nothing (the caller looked the block up by its
 * current translation) and compares the block's bytes with a copy taken when it was decoded,
 * so freed-and-reused frames, `execve` and self-modifying code are all seen. A store that
 * rewrites later instructions of the block being executed takes effect when that block ends,
 * not mid-block. Cold blocks need no validation: the interpreter reads RAM as it goes.
 */

import type { CoreState } from "../core-state.ts";
import { compileBlock, type CompiledBlock } from "./compile.ts";
import { addTranslation, findTranslation } from "./translation-cache.ts";
import { branchesToStart, decodeInsn, Op, resolveRipRelative, type Insn } from "./decode.ts";

/**
 * Executions after which a block is translated. Translating costs V8 a compile and then runs
 * in its bytecode interpreter until it tiers up, so only blocks this warm gain: measured on
 * the kernel's busybox and bash script tests and on bench:cpu, 256 is faster than 16 and 64
 * on the first and as fast on the second.
 */
export const COMPILE_THRESHOLD = 256;
/** Executions after which a block is decoded and may adopt an existing translation. */
export const ADOPT_RUNS = 8;
/** The most instructions one block holds. */
export const MAX_BLOCK_INSTRUCTIONS = 64;

export class Block {
  readonly rip: number;
  readonly phys: number;
  /** Instructions retired by a complete translated execution (a tail included); 0 until decoded. */
  count = 0;
  /** Copy of the decoded bytes (the tail, which the interpreter reads itself, excluded). */
  private bytes: Uint8Array | null = null;
  private insns: readonly Insn[] | null = null;
  compiled: CompiledBlock | null = null;
  runs = 0;
  /** The block branches back to its own start: an inner loop, worth translating early. */
  loops = false;
  epoch: number;
  /** Successors by exit (taken, fall-through, computed, side exits), valid while their epoch is current. */
  taken: Block | null = null;
  fallThrough: Block | null = null;
  computed: Block | null = null;
  /** The computed exit's successor before `computed`. */
  computedBefore: Block | null = null;
  sideExits: (Block | null)[] = [];

  constructor(rip: number, phys: number, epoch: number) {
    this.rip = rip;
    this.phys = phys;
    this.epoch = epoch;
  }

  get decoded(): boolean {
    return this.bytes !== null;
  }

  /** Whether translation can gain anything (a lone interpreted instruction cannot). */
  get translatable(): boolean {
    return this.insns !== null && (this.insns.length > 1 || this.insns[0]?.op !== Op.Tail);
  }

  /** Whether RAM still holds the bytes the block was decoded from (a cold block always does). */
  matches(ram: Uint8Array): boolean {
    const bytes = this.bytes;
    if (bytes === null) return true;
    const phys = this.phys;
    for (let i = 0; i < bytes.length; i++) {
      if (ram[phys + i] !== bytes[i]) return false;
    }
    return true;
  }

  /**
   * Decodes the block from RAM and, when `adopt`, takes over the translation of an identical
   * block if one exists: the same program run again, or another process running it, then
   * runs translated without waiting to be warm.
   */
  decode(core: CoreState, adopt: boolean): void {
    const insns = decodeInstructions(core, this.rip, this.phys);
    this.insns = insns;
    this.count = insns.length;
    this.loops = branchesToStart(insns);
    const decodedBytes = insns.reduce((total, insn) => total + (insn.op === Op.Tail ? 0 : insn.length), 0);
    this.bytes = core.ram.slice(this.phys, this.phys + decodedBytes);
    const branches = insns.filter((insn, index) => insn.op === Op.Jcc && index < insns.length - 1).length;
    this.sideExits = new Array<Block | null>(branches).fill(null);
    if (!adopt || !this.translatable) return;
    const known = findTranslation(this.rip, this.count, this.bytes);
    if (known === undefined) return;
    this.compiled = known;
    this.insns = null;
  }

  /** Translates the decoded block (or reuses an identical block's translation). */
  compile(): void {
    if (this.insns === null || this.bytes === null) return;
    this.compiled = findTranslation(this.rip, this.count, this.bytes) ?? compileBlock(this.insns);
    addTranslation(this.rip, this.count, this.bytes, this.compiled);
    this.insns = null;
  }
}

/** Decodes the instructions of the block at `rip` (RAM index `phys`); it never crosses its code page. */
function decodeInstructions(core: CoreState, rip: number, phys: number): Insn[] {
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
  return insns;
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
