/**
 * Interrupt lines with top and bottom halves.
 *
 * A device driver (a service) allocates an `IrqLine`, optionally bound to a device pin, and
 * registers top-half callbacks; OSTD picks the vector, programs the interrupt controller,
 * sends the end-of-interrupt and keeps the vectors it uses itself (the timer) out of
 * reach. Top halves run as soon as the interrupt is taken and must be short; work that may
 * take longer goes to `deferToBottomHalf`, which runs it in the executor before the next
 * task is picked. A throwing handler is logged, never fatal.
 */
import { arch } from "../boot/machine-state.ts";
import { ErrorCode, OstdError, type Result, fail, ok } from "../error.ts";
import { log, LogLevel } from "../log/logger.ts";
import { schedulerTick } from "../task/task.ts";
import { runExpiredTimers } from "../timer/timer.ts";

export type TopHalf = (line: IrqLine) => void;

const lines = new Map<number, IrqLine>();
const claimedPins = new Map<number, IrqLine>();
const bottomHalves: (() => void)[] = [];
let hostPollDue = false;
let runTopHalves: (line: IrqLine) => void;

function dispatch(vector: number): void {
  const line = lines.get(vector);
  if (line === undefined) log(LogLevel.Warn, `spurious interrupt on vector ${String(vector)}`);
  else runTopHalves(line);
}

export class IrqLine {
  readonly #vector: number;
  readonly #handlers: TopHalf[] = [];
  #pin = -1;
  #released = false;

  private constructor(vector: number) {
    this.#vector = vector;
  }

  /** Allocates a free device vector. */
  static alloc(): Result<IrqLine> {
    const { firstDeviceVector, lastDeviceVector } = arch().interrupts;
    for (let vector = firstDeviceVector; vector <= lastDeviceVector; vector++) {
      if (!lines.has(vector)) {
        const line = new IrqLine(vector);
        lines.set(vector, line);
        return ok(line);
      }
    }
    return fail(ErrorCode.NoMemory, "no free interrupt vector");
  }

  /**
   * Allocates a vector and routes device interrupt pin `pin` (a PCI INTx or legacy IRQ) to
   * it. A level-triggered line interrupts again after the EOI for as long as the device
   * asserts it, so its top half must acknowledge the device.
   */
  static forPin(pin: number, trigger: "edge" | "level" = "edge"): Result<IrqLine> {
    if (!Number.isInteger(pin) || pin < 0 || pin > 23) return fail(ErrorCode.InvalidArgs, `no interrupt pin ${String(pin)}`);
    if (claimedPins.has(pin)) return fail(ErrorCode.Busy, `interrupt pin ${String(pin)} is already claimed`);
    const line = IrqLine.alloc();
    if (!line.ok) return line;
    line.value.#pin = pin;
    claimedPins.set(pin, line.value);
    // SAFETY: the vector was just allocated for this line and the pin was unclaimed.
    arch().interrupts.route(pin, line.value.#vector, trigger === "level");
    return line;
  }

  get vector(): number {
    return this.#vector;
  }

  /** Adds a top-half handler. */
  onActive(handler: TopHalf): void {
    this.#checkLive();
    this.#handlers.push(handler);
  }

  /** Masks the pin (if any) and frees the vector. */
  release(): void {
    this.#checkLive();
    this.#released = true;
    lines.delete(this.#vector);
    if (this.#pin >= 0) {
      claimedPins.delete(this.#pin);
      // SAFETY: masking the pin this line owned.
      arch().interrupts.route(this.#pin, -1, false);
    }
  }

  static {
    runTopHalves = (line) => {
      for (const handler of line.#handlers) {
        try {
          handler(line);
        } catch (error) {
          log(LogLevel.Error, `interrupt handler on vector ${String(line.#vector)} failed: ${String(error)}`);
        }
      }
    };
  }

  #checkLive(): void {
    if (this.#released) throw new OstdError(ErrorCode.BadState, "the IRQ line was released");
  }
}

/** Queues work to run after the current interrupt, outside interrupt context. */
export function deferToBottomHalf(work: () => void): void {
  bottomHalves.push(work);
}

/** Takes and handles every pending interrupt (executor and user-mode internal). */
export function handlePendingInterrupts(): void {
  const interrupts = arch().interrupts;
  while (interrupts.pending) {
    const vector = interrupts.take();
    if (vector < 0) break;
    if (vector === interrupts.timerVector) {
      runExpiredTimers(true);
      schedulerTick();
      hostPollDue = true;
    } else {
      dispatch(vector);
    }
    interrupts.endOfInterrupt(vector);
  }
}

/** Runs queued bottom halves and due timers (executor-internal). */
export function runBottomHalves(): void {
  runExpiredTimers(false);
  while (bottomHalves.length > 0) {
    const work = bottomHalves.shift();
    try {
      work?.();
    } catch (error) {
      log(LogLevel.Error, `bottom half failed: ${String(error)}`);
    }
  }
}

/** Whether a tick asked for the host to get a turn (device input); clears the request. */
export function takeHostPollRequest(): boolean {
  const due = hostPollDue;
  hostPollDue = false;
  return due;
}
