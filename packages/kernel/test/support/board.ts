/**
 * Runs kernel code on the real board and OSTD in host tests. User mode is either the board's
 * real x86-64 core or a scripted core: a test supplies a step function that plays the user
 * program (sets registers, touches memory through the real MMU) and says how the CPU left
 * user mode, which makes every kernel path testable without compiling programs.
 */
import { createBoard, UserExit, type AddressTranslator, type CpuContext, type ExecutionCore } from "@asterism/board-x86";
import { boot } from "@asterism/ostd-x86";

export { UserExit };

export class TestContext implements CpuContext {
  readonly gprLo = new Int32Array(16);
  readonly gprHi = new Int32Array(16);
  rip = 0;
  rflags = 0x202;
  fsBase = 0;
  gsBase = 0;
  readonly fpu = new Uint8Array(512);

  saveFpu(into: Uint8Array): void {
    into.set(this.fpu);
  }

  restoreFpu(from: Uint8Array): void {
    this.fpu.set(from.subarray(0, 512));
  }

  copyFrom(other: CpuContext): void {
    if (!(other instanceof TestContext)) throw new Error("foreign context");
    this.gprLo.set(other.gprLo);
    this.gprHi.set(other.gprHi);
    this.rip = other.rip;
    this.rflags = other.rflags;
    this.fsBase = other.fsBase;
    this.gsBase = other.gsBase;
    this.fpu.set(other.fpu);
  }
}

/** What the scripted user program can do in one step. */
export interface UserMachine {
  readonly context: TestContext;
  /** Reads a byte of user memory through the MMU, or records a page fault and returns undefined. */
  load(address: number): number | undefined;
  store(address: number, value: number): boolean;
  fault(vector: number, errorCode: number, address: number): UserExit;
}

export type UserStep = (user: UserMachine) => UserExit;

class ScriptedCore implements ExecutionCore {
  instructionsRetired = 0;
  exceptionVector = 0;
  errorCode = 0;
  faultAddress = 0;
  readonly #ram: Uint8Array;
  readonly #mmu: AddressTranslator;
  readonly #script: { step: UserStep };

  constructor(ram: Uint8Array, mmu: AddressTranslator, script: { step: UserStep }) {
    this.#ram = ram;
    this.#mmu = mmu;
    this.#script = script;
  }

  createContext(): CpuContext {
    return new TestContext();
  }

  run(context: CpuContext): UserExit {
    if (!(context instanceof TestContext)) throw new Error("foreign context");
    this.instructionsRetired += 100;
    const mmu = this.#mmu;
    const ram = this.#ram;
    const record = (vector: number, errorCode: number, address: number): void => {
      this.exceptionVector = vector;
      this.errorCode = errorCode;
      this.faultAddress = address;
    };
    const pageFault = (): undefined => {
      record(mmu.faultVector, mmu.faultErrorCode, mmu.faultAddress);
      return undefined;
    };
    return this.#script.step({
      context,
      load(address) {
        const physical = mmu.translate(address, 0);
        return physical < 0 ? pageFault() : ram[physical];
      },
      store(address, value) {
        const physical = mmu.translate(address, 1);
        if (physical < 0) return pageFault() ?? false;
        ram[physical] = value;
        return true;
      },
      fault(vector, errorCode, address) {
        record(vector, errorCode, address);
        return UserExit.Exception;
      },
    });
  }

  onTranslationChange(): void {}
}

export interface BoardRun {
  readonly exitCode: number;
  readonly console: string;
}

export interface BoardOptions {
  readonly initramfs?: Uint8Array;
  readonly commandLine?: string;
  /** Bytes typed on the terminal, each chunk delivered `delayMs` of host time after boot. */
  readonly typed?: { readonly bytes: Uint8Array; readonly delayMs: number } | readonly { readonly bytes: Uint8Array; readonly delayMs: number }[];
  /** The board clock; deterministic unless a test needs real waiting (sleep vs. typing). */
  readonly clock?: "host" | "deterministic";
  /** Run user code on the board's real x86-64 core instead of the scripted one. */
  readonly realCpu?: boolean;
  /** BoardConfig.compileThreshold for the real core (1: every block translated at once). */
  readonly compileThreshold?: number;
  readonly memorySize?: number;
}

type Typed = { readonly bytes: Uint8Array; readonly delayMs: number };

/** A terminal input stream that types each chunk at its time once the board listens. */
function scriptedInput(typed: Typed | readonly Typed[]) {
  const listeners = new Set<(chunk: Buffer | string) => void>();
  const chunks: readonly Typed[] = Array.isArray(typed) ? typed : [typed];
  return {
    on(_event: "data", listener: (chunk: Buffer | string) => void) {
      listeners.add(listener);
      for (const chunk of chunks) {
        setTimeout(() => { for (const deliver of listeners) deliver(Buffer.from(chunk.bytes)); }, chunk.delayMs);
      }
    },
    off(_event: "data", listener: (chunk: Buffer | string) => void) {
      listeners.delete(listener);
    },
    resume() {},
    pause() {},
  };
}

/** Boots OSTD on a fresh board and runs `main` as the kernel. */
export async function runOnBoard(main: () => Promise<void>, step: UserStep = () => UserExit.Syscall, options: BoardOptions = {}): Promise<BoardRun> {
  let output = "";
  const script = { step };
  const board = createBoard({
    memorySize: options.memorySize ?? 64 * 1024 * 1024,
    clock: options.clock ?? "deterministic",
    console: {
      input: options.typed === undefined ? null : scriptedInput(options.typed),
      output: { write: (bytes: Uint8Array) => { output += new TextDecoder().decode(bytes); } },
    },
    ...(options.realCpu === true ? {} : { createCore: (ram: Uint8Array, mmu: AddressTranslator) => new ScriptedCore(ram, mmu, script) }),
    ...(options.initramfs === undefined ? {} : { initramfs: options.initramfs }),
    ...(options.compileThreshold === undefined ? {} : { compileThreshold: options.compileThreshold }),
    ...(options.commandLine === undefined ? {} : { commandLine: options.commandLine }),
  });
  const exitCode = await board.run((machine) => boot(machine, main));
  return { exitCode, console: output };
}

/**
 * OSTD boots once per process (one test file), so a file's in-kernel cases run in one boot:
 * `beforeAll` runs them all as the kernel's main and each `it` reports its own outcome.
 */
export function kernelCases(
  cases: Record<string, () => Promise<void>>,
  hooks: { beforeAll: (body: () => Promise<void>) => void; it: (name: string, body: () => void) => void },
  step?: UserStep,
): void {
  const failures = new Map<string, unknown>();
  let run: BoardRun | undefined;
  hooks.beforeAll(async () => {
    run = await runOnBoard(async () => {
      for (const [name, body] of Object.entries(cases)) {
        try {
          await body();
        } catch (error) {
          failures.set(name, error);
        }
      }
    }, step);
  });
  for (const name of Object.keys(cases)) {
    hooks.it(name, () => {
      if (run?.exitCode !== 0) throw new Error(`kernel exited with ${String(run?.exitCode)}: ${run?.console ?? ""}`);
      const failure = failures.get(name);
      if (failure instanceof Error) throw failure;
      if (failure !== undefined) throw new Error(JSON.stringify(failure));
    });
  }
}
