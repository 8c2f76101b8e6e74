/**
 * Scripted user programs for the scripted core: each instruction address maps to a step
 * that plays one "instruction" (usually a syscall) and moves RIP on by 2 bytes, the length
 * of `syscall`. Fork copies RIP, so parent and child continue the same script; a step reads
 * the previous result from RAX.
 */
import { UserExit, type TestContext, type UserMachine, type UserStep } from "./board.ts";

const TWO_32 = 0x1_0000_0000;
const ARG_REGISTERS = [7, 6, 2, 10, 8, 9];

export function getRegister(context: TestContext, index: number): number {
  return (context.gprHi[index] ?? 0) * TWO_32 + ((context.gprLo[index] ?? 0) >>> 0);
}

export function setRegister(context: TestContext, index: number, value: number): void {
  const high = Math.floor(value / TWO_32);
  context.gprLo[index] = (value - high * TWO_32) | 0;
  context.gprHi[index] = high | 0;
}

/** RAX as the signed result of the last syscall. */
export function result(context: TestContext): number {
  return getRegister(context, 0);
}

export function syscall(user: UserMachine, number: number, ...args: number[]): UserExit {
  setRegister(user.context, 0, number);
  args.forEach((value, index) => { setRegister(user.context, ARG_REGISTERS[index] ?? 0, value); });
  user.context.rip += 2;
  return UserExit.Syscall;
}

/** Stores bytes through the MMU; on a page fault returns the exception exit (retried later). */
export function store(user: UserMachine, address: number, bytes: Uint8Array): UserExit | undefined {
  for (const [index, byte] of bytes.entries()) {
    if (!user.store(address + index, byte)) return UserExit.Exception;
  }
  return undefined;
}

export type Step = (user: UserMachine) => UserExit;

/** A step function for the scripted core over several programs keyed by address. */
export function scriptedUser(steps: Map<number, Step>): UserStep {
  return (user) => {
    const step = steps.get(user.context.rip);
    if (step === undefined) return user.fault(6, 0, 0);
    return step(user);
  };
}

/** Lays out `program` from `base`, 2 bytes per step. */
export function program(base: number, ...steps: Step[]): Map<number, Step> {
  return new Map(steps.map((step, index) => [base + index * 2, step]));
}
