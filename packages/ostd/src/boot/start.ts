/**
 * Kernel start: what an arch port's boot code calls once it has built its `Arch` object.
 *
 * It installs the port (once), takes over physical memory with the frame table, starts
 * the tick, spawns the kernel's main function as the first task and runs the executor
 * until power-off. If main returns, the board powers off with exit code 0; if it throws,
 * the panic is logged and the exit code is 1.
 */
import { MemoryRegionKind, type Arch } from "../arch.ts";
import { handlePendingInterrupts, runBottomHalves, takeHostPollRequest } from "../irq/irq-line.ts";
import { log, LogLevel } from "../log/logger.ts";
import { initFrames } from "../mm/frames.ts";
import { runExecutor, Task } from "../task/task.ts";
import { TICK_HZ } from "../timer/timer.ts";
import { installArch } from "./machine-state.ts";
import { powerOff, poweredOffWith } from "./power.ts";

/** The kernel's entry point: runs as the first task. */
export type KernelMain = () => Promise<void>;

/**
 * Boots OSTD on `port` and runs `main`; resolves with the exit code at power-off.
 * @unsafe Only an arch port's boot code may call this, with the machine it owns.
 */
export async function startKernel(port: Arch, main: KernelMain): Promise<number> {
  installArch(port);
  const usable = port.bootInfo.memoryRegions.filter((region) => region.kind === MemoryRegionKind.Usable);
  // SAFETY: the memory map comes from the loader; only its usable regions become free frames.
  initFrames(port.physicalMemory, usable);
  port.interrupts.startTimer(TICK_HZ);
  Task.spawn(
    async () => {
      try {
        await main();
        powerOff(0);
      } catch (error) {
        log(LogLevel.Error, `kernel panic: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        powerOff(1);
      }
    },
    { name: "main" },
  );
  await runExecutor({
    service(): void {
      handlePendingInterrupts();
      runBottomHalves();
    },
    async idle(): Promise<void> {
      await (takeHostPollRequest() ? port.interrupts.pollHost() : port.interrupts.halt());
    },
  });
  return poweredOffWith() ?? 0;
}
