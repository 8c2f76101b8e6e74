/**
 * Mutex and RwLock for tasks: they protect data across `await` points, which is the only
 * place where tasks interleave. Both hand out guards; the data is reachable only through a
 * live guard, and a guard works once.
 */
import { ErrorCode, OstdError } from "../error.ts";
import { WaitQueue } from "./wait-queue.ts";

interface Cell<T> {
  value: T;
}

/** Read access to locked data while the lock is held. */
export class ReadGuard<T> {
  readonly #cell: Cell<T>;
  readonly #unlock: () => void;
  #held = true;

  constructor(cell: Cell<T>, unlock: () => void) {
    this.#cell = cell;
    this.#unlock = unlock;
  }

  get value(): T {
    return this.cell().value;
  }

  release(): void {
    this.cell();
    this.#held = false;
    this.#unlock();
  }

  protected cell(): Cell<T> {
    if (!this.#held) throw new OstdError(ErrorCode.BadState, "the guard was already released");
    return this.#cell;
  }
}

/** Read and write access to locked data while the lock is held. */
export class LockGuard<T> extends ReadGuard<T> {
  override get value(): T {
    return this.cell().value;
  }

  override set value(value: T) {
    this.cell().value = value;
  }
}

export class Mutex<T> {
  readonly #cell: Cell<T>;
  #locked = false;
  readonly #queue = new WaitQueue();

  constructor(value: T) {
    this.#cell = { value };
  }

  get isLocked(): boolean {
    return this.#locked;
  }

  async lock(): Promise<LockGuard<T>> {
    await this.#queue.waitUntil(() => !this.#locked);
    return this.#acquire();
  }

  tryLock(): LockGuard<T> | undefined {
    return this.#locked ? undefined : this.#acquire();
  }

  /** Runs `critical` with the lock held and releases it afterwards, even on error. */
  async with<R>(critical: (guard: LockGuard<T>) => R | Promise<R>): Promise<R> {
    const guard = await this.lock();
    try {
      return await critical(guard);
    } finally {
      guard.release();
    }
  }

  #acquire(): LockGuard<T> {
    this.#locked = true;
    return new LockGuard(this.#cell, () => {
      this.#locked = false;
      this.#queue.wakeOne();
    });
  }
}

/** Many readers or one writer; waiting writers block new readers so writers do not starve. */
export class RwLock<T> {
  readonly #cell: Cell<T>;
  #readers = 0;
  #writer = false;
  #writersWaiting = 0;
  readonly #queue = new WaitQueue();

  constructor(value: T) {
    this.#cell = { value };
  }

  async read(): Promise<ReadGuard<T>> {
    await this.#queue.waitUntil(() => !this.#writer && this.#writersWaiting === 0);
    this.#readers++;
    return new ReadGuard(this.#cell, () => {
      this.#readers--;
      if (this.#readers === 0) this.#queue.wakeAll();
    });
  }

  async write(): Promise<LockGuard<T>> {
    this.#writersWaiting++;
    await this.#queue.waitUntil(() => !this.#writer && this.#readers === 0);
    this.#writersWaiting--;
    this.#writer = true;
    return new LockGuard(this.#cell, () => {
      this.#writer = false;
      this.#queue.wakeAll();
    });
  }
}
