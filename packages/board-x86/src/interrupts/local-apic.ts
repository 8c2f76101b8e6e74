/**
 * The local APIC of the board's single CPU (Intel SDM vol. 3, chapter 11), at its usual
 * MMIO base 0xFEE00000: the interrupt request and in-service registers with their priority
 * rules, the task-priority register, EOI, the spurious-vector register (software enable) and
 * the APIC timer in one-shot and periodic modes.
 *
 * It is where every interrupt ends up: the I/O APIC delivers device IRQs here, the timer
 * raises its own vector, and `Cpu.takeInterrupt` acknowledges the highest-priority pending
 * vector (IRR -> ISR) the way the CPU does at an instruction boundary. An EOI write retires
 * the highest in-service vector and tells the I/O APIC (broadcast EOI for level-triggered
 * lines).
 *
 * The timer counts down at `APIC_TIMER_HZ` divided by the divide-configuration value; time
 * comes from the board clock, so in deterministic mode it follows the instruction count.
 * Not modelled: TSC-deadline mode, inter-processor interrupts (one CPU), LINT0/LINT1 and the
 * error/thermal/performance LVT entries (their registers read back what was written).
 */

/** The APIC timer's input clock: 100 MHz (one tick every 10 ns before division). */
export const APIC_TIMER_HZ = 100_000_000;
const NS_PER_TICK = 1e9 / APIC_TIMER_HZ;

/** Register offsets from the APIC base. */
export const ApicRegister = {
  Id: 0x20,
  Version: 0x30,
  TaskPriority: 0x80,
  ProcessorPriority: 0xa0,
  Eoi: 0xb0,
  LogicalDestination: 0xd0,
  DestinationFormat: 0xe0,
  SpuriousVector: 0xf0,
  InService: 0x100,
  TriggerMode: 0x180,
  InterruptRequest: 0x200,
  ErrorStatus: 0x280,
  InterruptCommandLow: 0x300,
  InterruptCommandHigh: 0x310,
  LvtTimer: 0x320,
  LvtThermal: 0x330,
  LvtPerformance: 0x340,
  LvtLint0: 0x350,
  LvtLint1: 0x360,
  LvtError: 0x370,
  TimerInitialCount: 0x380,
  TimerCurrentCount: 0x390,
  TimerDivide: 0x3e0,
} as const;

const LVT_MASKED = 1 << 16;
const TIMER_MODE_SHIFT = 17;
const TimerMode = { OneShot: 0, Periodic: 1 } as const;
const SVR_APIC_ENABLED = 1 << 8;
/** Version 0x14 (integrated APIC), max LVT entry 5. */
const VERSION_VALUE = 0x0005_0014;
const DIVIDE_VALUES = [2, 4, 8, 16, 32, 64, 128, 1] as const;

export class LocalApic {
  private readonly requested = new Uint32Array(8);
  private readonly inService = new Uint32Array(8);
  private readonly levelTriggered = new Uint32Array(8);
  private taskPriority = 0;
  private spuriousVector = 0xff;
  private logicalDestination = 0;
  private destinationFormat = 0xffff_ffff;
  private readonly otherLvt = new Map<number, number>();
  private lvtTimer = LVT_MASKED;
  private timerDivideConfig = 0;
  private timerInitialCount = 0;
  /** Clock time (ns) at which the timer next fires, or Infinity when it is stopped. */
  private timerDeadline = Infinity;
  private timerPeriodNs = 0;
  private readonly now: () => number;
  /** Called with the vector of every EOI, for the I/O APIC's level-triggered lines. */
  onEoi: (vector: number) => void = () => undefined;

  constructor(now: () => number) {
    this.now = now;
    for (const lvt of [ApicRegister.LvtThermal, ApicRegister.LvtPerformance, ApicRegister.LvtLint0, ApicRegister.LvtLint1, ApicRegister.LvtError]) {
      this.otherLvt.set(lvt, LVT_MASKED);
    }
  }

  /** Accepts a fixed interrupt with `vector` (from the I/O APIC or the timer). */
  raise(vector: number, level = false): void {
    if (vector < 16 || vector > 255) return;
    setBit(this.requested, vector);
    if (level) setBit(this.levelTriggered, vector);
    else clearBit(this.levelTriggered, vector);
  }

  /** Advances the timer to the current time; fires it when its deadline has passed. */
  advance(): void {
    const now = this.now();
    if (now < this.timerDeadline) return;
    if ((this.lvtTimer & LVT_MASKED) === 0) this.raise(this.lvtTimer & 0xff);
    if (this.timerMode() === TimerMode.Periodic && this.timerPeriodNs > 0) {
      const missed = Math.floor((now - this.timerDeadline) / this.timerPeriodNs) + 1;
      this.timerDeadline += missed * this.timerPeriodNs;
    } else {
      this.timerDeadline = Infinity;
    }
  }

  /** When the timer next fires (clock ns), or Infinity. */
  nextDeadline(): number {
    return this.timerDeadline;
  }

  /** The vector `takeInterrupt` would deliver, or -1. */
  pendingVector(): number {
    if ((this.spuriousVector & SVR_APIC_ENABLED) === 0) return -1;
    const vector = highestBit(this.requested);
    if (vector < 0) return -1;
    return vector >>> 4 > this.processorPriority() >>> 4 ? vector : -1;
  }

  /** PPR: the higher of the task priority and the highest in-service vector's class. */
  private processorPriority(): number {
    return Math.max(this.taskPriority & 0xf0, Math.max(0, highestBit(this.inService)) & 0xf0);
  }

  get interruptPending(): boolean {
    return this.pendingVector() >= 0;
  }

  /** INTA: moves the highest deliverable vector from IRR to ISR and returns it, or -1. */
  acknowledge(): number {
    const vector = this.pendingVector();
    if (vector < 0) return -1;
    clearBit(this.requested, vector);
    setBit(this.inService, vector);
    return vector;
  }

  read(offset: number): number {
    if (offset >= ApicRegister.InService && offset < ApicRegister.InService + 0x80) {
      return this.inService[(offset - ApicRegister.InService) >>> 4] ?? 0;
    }
    if (offset >= ApicRegister.TriggerMode && offset < ApicRegister.TriggerMode + 0x80) {
      return this.levelTriggered[(offset - ApicRegister.TriggerMode) >>> 4] ?? 0;
    }
    if (offset >= ApicRegister.InterruptRequest && offset < ApicRegister.InterruptRequest + 0x80) {
      return this.requested[(offset - ApicRegister.InterruptRequest) >>> 4] ?? 0;
    }
    switch (offset) {
      case ApicRegister.Id:
        return 0;
      case ApicRegister.Version:
        return VERSION_VALUE;
      case ApicRegister.TaskPriority:
        return this.taskPriority;
      case ApicRegister.ProcessorPriority:
        return this.processorPriority();
      case ApicRegister.LogicalDestination:
        return this.logicalDestination;
      case ApicRegister.DestinationFormat:
        return this.destinationFormat;
      case ApicRegister.SpuriousVector:
        return this.spuriousVector;
      case ApicRegister.LvtTimer:
        return this.lvtTimer;
      case ApicRegister.TimerInitialCount:
        return this.timerInitialCount;
      case ApicRegister.TimerCurrentCount:
        return this.currentCount();
      case ApicRegister.TimerDivide:
        return this.timerDivideConfig;
      default:
        return this.otherLvt.get(offset) ?? 0;
    }
  }

  write(offset: number, value: number): void {
    switch (offset) {
      case ApicRegister.TaskPriority:
        this.taskPriority = value & 0xff;
        return;
      case ApicRegister.Eoi:
        this.endOfInterrupt();
        return;
      case ApicRegister.LogicalDestination:
        this.logicalDestination = value & 0xff00_0000;
        return;
      case ApicRegister.DestinationFormat:
        this.destinationFormat = value | 0x0fff_ffff;
        return;
      case ApicRegister.SpuriousVector:
        this.spuriousVector = value & 0x1ff;
        return;
      case ApicRegister.LvtTimer:
        this.lvtTimer = value & (0xff | LVT_MASKED | (3 << TIMER_MODE_SHIFT));
        return;
      case ApicRegister.TimerInitialCount:
        this.startTimer(value >>> 0);
        return;
      case ApicRegister.TimerDivide:
        this.timerDivideConfig = value & 0xb;
        return;
      default:
        if (this.otherLvt.has(offset)) this.otherLvt.set(offset, value >>> 0);
    }
  }

  private endOfInterrupt(): void {
    const vector = highestBit(this.inService);
    if (vector < 0) return;
    clearBit(this.inService, vector);
    if (testBit(this.levelTriggered, vector)) {
      clearBit(this.levelTriggered, vector);
      this.onEoi(vector);
    }
  }

  private timerMode(): number {
    return (this.lvtTimer >>> TIMER_MODE_SHIFT) & 3;
  }

  private divisor(): number {
    const index = (this.timerDivideConfig & 3) | ((this.timerDivideConfig >>> 1) & 4);
    return DIVIDE_VALUES[index] ?? 1;
  }

  private startTimer(count: number): void {
    this.timerInitialCount = count;
    if (count === 0) {
      this.timerDeadline = Infinity;
      this.timerPeriodNs = 0;
      return;
    }
    this.timerPeriodNs = count * this.divisor() * NS_PER_TICK;
    this.timerDeadline = this.now() + this.timerPeriodNs;
  }

  private currentCount(): number {
    if (this.timerDeadline === Infinity) return 0;
    const remainingNs = Math.max(0, this.timerDeadline - this.now());
    return Math.min(this.timerInitialCount, Math.ceil(remainingNs / (this.divisor() * NS_PER_TICK)));
  }
}

function setBit(bits: Uint32Array, bit: number): void {
  bits[bit >>> 5] = (bits[bit >>> 5] ?? 0) | (1 << (bit & 31));
}

function clearBit(bits: Uint32Array, bit: number): void {
  bits[bit >>> 5] = (bits[bit >>> 5] ?? 0) & ~(1 << (bit & 31));
}

function testBit(bits: Uint32Array, bit: number): boolean {
  return ((bits[bit >>> 5] ?? 0) & (1 << (bit & 31))) !== 0;
}

/** The highest set bit of a 256-bit register, or -1. */
function highestBit(bits: Uint32Array): number {
  for (let word = 7; word >= 0; word--) {
    const value = bits[word] ?? 0;
    if (value !== 0) return word * 32 + 31 - Math.clz32(value);
  }
  return -1;
}
