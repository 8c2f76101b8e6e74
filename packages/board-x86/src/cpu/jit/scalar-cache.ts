/**
 * The low double of XMM registers kept in local variables (`xN`) while a block computes
 * with them, as guest GPRs are: scalar-double code (MOVSD, ADDSD, MULSD, UCOMISD, ...)
 * otherwise loads and stores the XMM file's `Float64Array` for every operand, and V8 cannot
 * keep those in host registers.
 *
 * The XMM file is the truth whenever anything else may look at it: changed locals are
 * stored back before every instruction that can fault (the `catch` of a translated block
 * then has nothing to add), before the interpreter runs an instruction in place, at side
 * exits and at the end of the block (or of each loop pass). Instructions that write the
 * XMM file some other way (packed forms, moves from GPRs) drop the cache.
 */

export class ScalarCache {
  /** Registers cached in this stretch of the block, and whether the local changed since. */
  private readonly cached = new Map<number, boolean>();
  /** Every register that ever had a local (to declare them). */
  private readonly declared = new Set<number>();
  private readonly emit: (line: string) => void;

  constructor(emit: (line: string) => void) {
    this.emit = emit;
  }

  /** The local holding XMM `register`'s low double, loaded on first use. */
  read(register: number): string {
    this.declared.add(register);
    if (!this.cached.has(register)) {
      this.emit(`x${register} = F[${register * 2}];`);
      this.cached.set(register, false);
    }
    return `x${register}`;
  }

  /** Assigns XMM `register`'s low double (the high one is left alone). */
  write(register: number, value: string): void {
    this.declared.add(register);
    this.emit(`x${register} = ${value};`);
    this.cached.set(register, true);
  }

  /** Marks `register`'s local as assigned by code emitted elsewhere (both arms of a branch). */
  assigned(register: number): void {
    this.declared.add(register);
    this.cached.set(register, true);
  }

  /** Code storing the changed locals, for a path that leaves (the state is not changed). */
  storeCode(): string {
    return [...this.cached]
      .filter(([, changed]) => changed)
      .map(([register]) => `F[${register * 2}] = x${register};`)
      .join(" ");
  }

  /** Stores the changed locals; they stay cached. */
  store(): void {
    const code = this.storeCode();
    if (code !== "") this.emit(code);
    for (const register of this.cached.keys()) this.cached.set(register, false);
  }

  /** Stores the changed locals and forgets them all (something else writes the XMM file). */
  drop(): void {
    this.store();
    this.cached.clear();
  }

  /** The declaration of every local, or "" when there are none. */
  declarations(): string {
    return this.declared.size === 0 ? "" : `let ${[...this.declared].map((register) => `x${register} = 0`).join(", ")};`;
  }
}
