/**
 * Test helpers for whole-board tests: a board with a small RAM, no terminal input and a
 * captured console, plus a stand-in execution core (the real one lives in src/cpu and has its
 * own tests) that "retires" a scripted number of instructions per `run`, polling the platform
 * like the real core, so the system side (interrupts, clock, exits) can be tested alone.
 */

import { createBoard, type Board } from "../../src/board.ts";
import type { BoardConfig } from "../../src/board-config.ts";
import type { CpuPlatform, ExecutionCore } from "../../src/cpu-wiring.ts";
import { UserExit, type CpuContext } from "../../src/machine.ts";

export class ScriptedCore implements ExecutionCore {
  instructionsRetired = 0;
  exceptionVector = 0;
  errorCode = 0;
  faultAddress = 0;
  translationChanges = 0;
  /** Instructions each `run` retires before it reports a syscall. */
  budget = 10_000;
  private readonly platform: CpuPlatform;

  constructor(platform: CpuPlatform) {
    this.platform = platform;
  }

  createContext(): CpuContext {
    return new SimpleContext();
  }

  run(context: CpuContext): UserExit {
    let left = this.budget;
    while (left > 0) {
      const step = Math.min(left, this.platform.pollInterval);
      this.instructionsRetired += step;
      context.rip += step;
      left -= step;
      if (this.platform.poll(this.instructionsRetired)) return UserExit.Interrupt;
    }
    return UserExit.Syscall;
  }

  onTranslationChange(): void {
    this.translationChanges++;
  }
}

class SimpleContext implements CpuContext {
  readonly gprLo = new Int32Array(16);
  readonly gprHi = new Int32Array(16);
  rip = 0;
  rflags = 0x202;
  fsBase = 0;
  gsBase = 0;
  private readonly fpu = new Uint8Array(512);

  saveFpu(into: Uint8Array): void {
    into.set(this.fpu);
  }

  restoreFpu(from: Uint8Array): void {
    this.fpu.set(from.subarray(0, 512));
  }

  copyFrom(other: CpuContext): void {
    this.gprLo.set(other.gprLo);
    this.gprHi.set(other.gprHi);
    this.rip = other.rip;
    this.rflags = other.rflags;
    this.fsBase = other.fsBase;
    this.gsBase = other.gsBase;
  }
}

export interface TestBoard {
  readonly board: Board;
  readonly core: () => ScriptedCore;
  readonly output: () => string;
  readonly log: string[];
}

export function testBoard(config: BoardConfig = {}): TestBoard {
  let core: ScriptedCore | undefined;
  const chunks: Uint8Array[] = [];
  const log: string[] = [];
  const board = createBoard({
    memorySize: 8 << 20,
    log: (message) => log.push(message),
    createCore: (_ram, _mmu, platform) => {
      core = new ScriptedCore(platform);
      return core;
    },
    ...config,
    console: { input: null, output: { write: (data: Uint8Array) => chunks.push(data.slice()) }, ...config.console },
  });
  return {
    board,
    core: () => {
      if (core === undefined) throw new Error("no core");
      return core;
    },
    output: () => Buffer.concat(chunks).toString("latin1"),
    log,
  };
}
