/**
 * `boot(machine, main)`: the function a generated image entry calls. It builds the x86-64
 * `Arch` port over the board's machine interface (parsing the boot-information block,
 * enabling the APIC, wiring the serial console and power-off) and hands it to OSTD's
 * `startKernel`, which runs `main` as the first task until power-off.
 */
import { startKernel, type Arch, type KernelMain } from "@asterism/ostd";
import type { Machine } from "@asterism/board-x86";
import { BoardLayout } from "./board-layout.ts";
import { parseBootInfo } from "./boot-info.ts";
import { createX86Cpu } from "./cpu.ts";
import { createX86Interrupts } from "./interrupts.ts";
import { createX86Io } from "./io.ts";
import { x86PageTableFormat } from "./page-table-format.ts";

/** Builds the port (exported for tests that drive OSTD directly). */
export function createX86Arch(machine: Machine): Arch {
  // SAFETY: RAM is handed to OSTD, the only holder of this view besides this port.
  const ram = machine.memory.bytes;
  // SAFETY: the block is only read, with bounds checks.
  const bootInfo = parseBootInfo(ram, machine.bootInfoAddress);
  return {
    physicalMemory: ram,
    bootInfo,
    pageTable: x86PageTableFormat,
    cpu: createX86Cpu(machine.cpu),
    interrupts: createX86Interrupts(machine),
    io: createX86Io(machine),
    clock: machine.clock,
    consoleWrite(bytes) {
      // SAFETY: COM1's transmit register; the board's UART never blocks.
      for (const byte of bytes) machine.ports.write(BoardLayout.com1Port, 1, byte);
    },
    powerOff(exitCode) {
      // SAFETY: OSTD stopped every task before asking.
      machine.powerOff(exitCode);
    },
  };
}

/**
 * Boots OSTD and the kernel's `main` on `machine`; resolves at power-off.
 * @unsafe Call once per machine, from the image entry: it takes over all of RAM and the CPU.
 */
export async function boot(machine: Machine, main: KernelMain): Promise<void> {
  // SAFETY: the image entry owns the machine and calls boot exactly once.
  await startKernel(createX86Arch(machine), main);
}
