/**
 * X86Core: the interpreter loop that runs ring-3 x86-64 code on a context until SYSCALL, an
 * exception, or the platform reporting a pending interrupt (ExecutionCore in cpu-wiring.ts).
 *
 * One `step` decodes the legacy and REX prefixes and dispatches on the opcode map; the
 * handlers (exec-*.ts) work on the shared CoreState. Exceptions are thrown as the single
 * CPU_EXCEPTION token and caught here, outside the loop, so the loop itself has no try/catch.
 */

import type { CpuPlatform, ExecutionCore, AddressTranslator } from "../cpu-wiring.ts";
import { ExceptionVector, UserExit, type CpuContext } from "../machine.ts";
import { X86Context } from "./context.ts";
import { CoreState, CPU_EXCEPTION, Rex } from "./core-state.ts";
import { executeOneByte } from "./exec-one-byte.ts";
import { executeTwoByte } from "./exec-two-byte.ts";

/** The longest legal instruction; more prefixes than this raise #GP. */
const MAX_INSTRUCTION_LENGTH = 15;

export class X86Core extends CoreState implements ExecutionCore {
  instructionsRetired = 0;
  private readonly platform: CpuPlatform;
  private pollCountdown: number;

  constructor(ram: Uint8Array, mmu: AddressTranslator, platform: CpuPlatform) {
    super(ram, mmu);
    this.platform = platform;
    this.pollCountdown = platform.pollInterval;
    this.readTsc = () => platform.readTsc();
  }

  createContext(): X86Context {
    return new X86Context();
  }

  onTranslationChange(): void {
    this.flushTranslations();
  }

  run(context: CpuContext): UserExit {
    if (!(context instanceof X86Context)) {
      throw new TypeError("X86Core.run: the context must come from createContext()");
    }
    this.ctx = context;
    this.gprLo = context.gprLo;
    this.gprHi = context.gprHi;
    this.writeFlags(context.rflags);
    this.flushTranslations();
    this.ipDelta = context.rip;
    this.ip = 0;
    this.ipLimit = 0;
    this.instructionRip = context.rip;
    this.exitRequest = -1;
    let exit: UserExit;
    try {
      exit = this.loop();
      context.rip = this.currentRip();
    } catch (error) {
      if (error !== CPU_EXCEPTION) throw error;
      exit = UserExit.Exception;
      context.rip = this.instructionRip;
    }
    context.rflags = this.readFlags();
    return exit;
  }

  private loop(): UserExit {
    const platform = this.platform;
    for (;;) {
      this.instructionRip = this.ip + this.ipDelta;
      this.step();
      this.instructionsRetired++;
      if (this.exitRequest >= 0) {
        const exit = this.exitRequest === UserExit.Syscall ? UserExit.Syscall : UserExit.Interrupt;
        this.exitRequest = -1;
        return exit;
      }
      if (--this.pollCountdown <= 0) {
        this.pollCountdown = platform.pollInterval;
        if (platform.poll(this.instructionsRetired)) return UserExit.Interrupt;
      }
    }
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
