/**
 * A cooperative stand-in for OSTD's WaitQueue in host tests: waiters re-check their
 * condition whenever `wakeAll` runs, and `settle` lets pending promise chains run.
 */
export class FakeWaitChannel {
  readonly #waiters: (() => void)[] = [];

  async waitUntil<T>(condition: () => T | undefined | false): Promise<T | undefined> {
    for (;;) {
      const value = condition();
      if (value !== undefined && value !== false) return value;
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  wakeAll(): number {
    const waiters = this.#waiters.splice(0);
    for (const wake of waiters) wake();
    return waiters.length;
  }

  get waiting(): number {
    return this.#waiters.length;
  }
}

export async function settle(): Promise<void> {
  for (let round = 0; round < 20; round++) await Promise.resolve();
}
