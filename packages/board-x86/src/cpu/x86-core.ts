/**
 * X86Core runs ring-3 x86-64 code on a context until SYSCALL, an exception, or the platform
 * reporting a pending interrupt (ExecutionCore in cpu-wiring.ts).
 *
 * `dispatch` goes from basic block to basic block (jit/block-cache.ts): cold blocks are
 * interpreted, warm ones run as JavaScript translations (jit/compile.ts). The interpreter is
 * `step`: it decodes the legacy and REX prefixes and dispatches on the opcode map; the
 * handlers (exec-*.ts) work on the shared CoreState. Exceptions are thrown as the single
 * CPU_EXCEPTION token and caught in `run`, outside the dispatch loop.
 */

import { Access, type CpuPlatform, type ExecutionCore, type AddressTranslator } from "../cpu-wiring.ts";
import { ExceptionVector, UserExit, type CpuContext } from "../machine.ts";
import { ADOPT_RUNS, Block, COMPILE_THRESHOLD, MAX_BLOCK_INSTRUCTIONS } from "./jit/block-cache.ts";
import { EXIT_FIRST_SIDE } from "./jit/compile.ts";
import { scalarDoubleArithmetic } from "./exec-sse.ts";
import { X86Context } from "./context.ts";
import { CoreState, CPU_EXCEPTION, Rex } from "./core-state.ts";
import { executeOneByte } from "./exec-one-byte.ts";
import { executeTwoByte } from "./exec-two-byte.ts";

/** The longest legal instruction; more prefixes than this raise #GP. */
const MAX_INSTRUCTION_LENGTH = 15;

/** Tuning of the block translator. */
export interface CoreOptions {
  /**
   * Executions of a block before it is translated to JavaScript: 1 translates everything at
   * once, `Infinity` keeps the interpreter alone (the reference the translator is tested against).
   */
  readonly compileThreshold?: number;
}

/** Decoded blocks kept at most; the cache starts over beyond this. */
const MAX_CACHED_BLOCKS = 1 << 16;

export class X86Core extends CoreState implements ExecutionCore {
  instructionsRetired = 0;
  /** Where execution continues after the current block. */
  nextRip = 0;
  private readonly platform: CpuPlatform;
  private pollCountdown: number;
  private readonly compileThreshold: number;
  private readonly blocks = new Map<number, Block>();
  /** The code page last translated (virtual base, -1 for none) and its RAM index. */
  private codePage = -1;
  private codeFrameBase = 0;

  constructor(ram: Uint8Array, mmu: AddressTranslator, platform: CpuPlatform, options: CoreOptions = {}) {
    super(ram, mmu);
    this.platform = platform;
    this.pollCountdown = platform.pollInterval;
    this.readTsc = () => platform.readTsc();
    this.compileThreshold = options.compileThreshold ?? COMPILE_THRESHOLD;
  }

  createContext(): X86Context {
    return new X86Context();
  }

  onTranslationChange(): void {
    this.flushTranslations();
    this.codeEpoch++;
    this.codePage = -1;
  }

  run(context: CpuContext): UserExit {
    if (!(context instanceof X86Context)) {
      throw new TypeError("X86Core.run: the context must come from createContext()");
    }
    this.ctx = context;
    this.gprLo = context.gprLo;
    this.gprHi = context.gprHi;
    this.writeFlags(context.rflags);
    // The kernel may have rewritten page tables or frames since the last run.
    this.onTranslationChange();
    this.nextRip = context.rip;
    this.instructionRip = context.rip;
    this.exitRequest = -1;
    let exit: UserExit;
    try {
      exit = this.dispatch();
      context.rip = this.nextRip;
    } catch (error) {
      if (error !== CPU_EXCEPTION) throw error;
      exit = UserExit.Exception;
      context.rip = this.instructionRip;
    }
    context.rflags = this.readFlags();
    return exit;
  }

  /**
   * Runs block after block, following cached successor links while they are current. The
   * platform is polled after exactly every `pollInterval` instructions, as an instruction-
   * at-a-time loop would: a block that would run past that point is interpreted up to it.
   */
  private dispatch(): UserExit {
    const platform = this.platform;
    let block = this.blockAt(this.nextRip);
    for (;;) {
      const before = this.instructionsRetired;
      let exit: number;
      if (block.compiled === null) exit = this.interpretBlock(block);
      else if (block.count <= this.pollCountdown) exit = block.compiled(this, block.phys, this.pollCountdown);
      else exit = this.interpretSteps(block, this.pollCountdown);
      if (this.exitRequest >= 0) {
        const request = this.exitRequest === UserExit.Syscall ? UserExit.Syscall : UserExit.Interrupt;
        this.exitRequest = -1;
        return request;
      }
      this.pollCountdown -= this.instructionsRetired - before;
      if (this.pollCountdown <= 0) {
        this.pollCountdown = platform.pollInterval;
        if (platform.poll(this.instructionsRetired)) return UserExit.Interrupt;
      }
      const rip = this.nextRip;
      let next = exit === 0 ? block.taken : exit === 1 ? block.fallThrough : exit === 2 ? block.computed : (block.sideExits[exit - EXIT_FIRST_SIDE] ?? null);
      if (next === null || next.epoch !== this.codeEpoch || next.rip !== rip) {
        next = exit === 2 ? this.computedSuccessor(block, rip) : this.blockAt(rip);
        if (exit === 0) block.taken = next;
        else if (exit === 1) block.fallThrough = next;
        else if (exit > 2) block.sideExits[exit - EXIT_FIRST_SIDE] = next;
      }
      block = next;
    }
  }

  /**
   * The successor of a computed exit (a return, an indirect jump or call) when the most
   * recent one missed: the one before it is tried too, since functions called from two
   * places return to two places in turn. The two are kept most recent first.
   */
  private computedSuccessor(block: Block, rip: number): Block {
    const previous = block.computedBefore;
    const next = previous !== null && previous.epoch === this.codeEpoch && previous.rip === rip ? previous : this.blockAt(rip);
    block.computedBefore = block.computed;
    block.computed = next;
    return next;
  }

  /** The current block at `rip`: cached and still valid, or a new cold one. */
  private blockAt(rip: number): Block {
    const offset = rip % 4096;
    let phys: number;
    if (rip - offset === this.codePage) {
      phys = this.codeFrameBase + offset;
    } else {
      this.instructionRip = rip;
      phys = this.mmu.translate(rip, Access.Execute);
      if (phys < 0) this.raiseTranslationFault();
      if (phys >= this.ram.length) this.raise(ExceptionVector.GeneralProtection);
      this.codePage = rip - offset;
      this.codeFrameBase = phys - offset;
    }
    const epoch = this.codeEpoch;
    let block = this.blocks.get(phys);
    if (block !== undefined && block.rip === rip) {
      if (block.epoch === epoch) return block;
      if (block.matches(this.ram)) {
        block.epoch = epoch;
        if (block.decoded) this.markCodeFrame(phys - offset);
        return block;
      }
    }
    if (this.blocks.size >= MAX_CACHED_BLOCKS) this.blocks.clear();
    block = new Block(rip, phys, epoch);
    this.blocks.set(phys, block);
    return block;
  }

  /**
   * Runs a block that is not translated: decodes it when it has run `ADOPT_RUNS` times (it
   * may then adopt an existing translation), translates it at the compile threshold, and
   * otherwise interprets it up to its first taken jump.
   */
  private interpretBlock(block: Block): number {
    const runs = ++block.runs;
    const threshold = this.compileThreshold;
    if (!block.decoded && runs >= Math.min(ADOPT_RUNS, threshold)) {
      block.decode(this, threshold !== Infinity);
      this.markCodeFrame(block.phys - (block.phys & 0xfff));
    }
    // Inner loops are translated as soon as they are decoded: they run long once entered.
    const due = block.loops ? Math.min(threshold, ADOPT_RUNS) : threshold;
    if (block.compiled === null && runs >= due && block.translatable) block.compile();
    if (block.compiled !== null && block.count <= this.pollCountdown) return block.compiled(this, block.phys, this.pollCountdown);
    return this.interpretSteps(block, Math.min(this.pollCountdown, MAX_BLOCK_INSTRUCTIONS));
  }

  /**
   * Interprets from the start of a block until a jump is taken, the run ends, or `limit`
   * instructions (the next poll, or a block's length) have retired.
   */
  private interpretSteps(block: Block, limit: number): number {
    this.enterCodeAt(block.phys, block.rip);
    const jumps = this.jumpCount;
    for (let i = 0; i < limit; i++) {
      this.instructionRip = this.ip + this.ipDelta;
      this.step();
      this.instructionsRetired++;
      if (this.exitRequest >= 0 || this.jumpCount !== jumps) break;
    }
    this.nextRip = this.currentRip();
    return 2;
  }

  /** Points instruction fetch at RAM index `phys`, virtual address `rip`, on a validated code page. */
  private enterCodeAt(phys: number, rip: number): void {
    this.ip = phys;
    this.ipLimit = Math.min(phys - (phys & 0xfff) + 4096, this.ram.length);
    this.ipDelta = rip - phys;
  }

  /**
   * Interprets the one instruction at `rip` for translated code (RAM index `phys`, on a page
   * the block was validated on). `length`, when not 0, is what the translator decoded: a
   * disagreement with the interpreter is a translator bug, reported as such.
   */
  executeAt(phys: number, rip: number, length: number): void {
    this.enterCodeAt(phys, rip);
    this.instructionRip = rip;
    this.step();
    if (length !== 0 && this.ip !== phys + length) {
      throw new Error(`block translator: decoded ${length} bytes at ${rip.toString(16)}, the interpreter ${this.ip - phys}`);
    }
    this.nextRip = this.currentRip();
  }

  /** Scalar double arithmetic with every MXCSR rule (translated code's slow path). */
  scalarDouble(opcode: number, destination: number, source: number): void {
    scalarDoubleArithmetic(this, opcode, destination, source);
  }

  private step(): void {
    let opcode = this.fetch8();
    let rex = 0;
    let prefix66 = false;
    let repPrefix = 0;
    let addressSize32 = false;
    let segmentBase = 0;
    let length = 1;
    for (;;) {
      if ((opcode & 0xf0) === 0x40) {
        rex = opcode;
      } else {
        switch (opcode) {
          case 0x66:
            prefix66 = true;
            break;
          case 0xf2:
          case 0xf3:
            repPrefix = opcode;
            break;
          case 0x67:
            addressSize32 = true;
            break;
          case 0x64:
            segmentBase = this.ctx.fsBase;
            break;
          case 0x65:
            segmentBase = this.ctx.gsBase;
            break;
          case 0x26:
          case 0x2e:
          case 0x36:
          case 0x3e:
          case 0xf0:
            break;
          default:
            this.rex = rex;
            this.prefix66 = prefix66;
            this.repPrefix = repPrefix;
            this.addressSize32 = addressSize32;
            this.segmentBase = segmentBase;
            this.operandSize = (rex & Rex.W) !== 0 ? 8 : prefix66 ? 2 : 4;
            this.eaRipRelative = false;
            if (opcode === 0x0f) {
              const second = this.fetch8();
              this.opcode = 0x0f00 | second;
              executeTwoByte(this, second);
            } else {
              this.opcode = opcode;
              executeOneByte(this, opcode);
            }
            return;
        }
        // A REX prefix counts only directly before the opcode.
        rex = 0;
      }
      if (++length >= MAX_INSTRUCTION_LENGTH) this.raise(ExceptionVector.GeneralProtection);
      opcode = this.fetch8();
    }
  }
}
