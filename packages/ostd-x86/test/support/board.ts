/**
 * Boots OSTD with ostd-x86 on a real board (createBoard) with a kernel main given as a
 * function, capturing the serial console. Each call loads fresh copies of the framework
 * modules (OSTD accepts one boot per module instance, like a machine boots once).
 */
import { vi } from "vitest";
import { createBoard, type BoardConfig } from "@asterism/board-x86";

export interface BoardRun {
  readonly exitCode: number;
  readonly console: string;
}

type Ostd = typeof import("@asterism/ostd");

/** Runs `main` (given a fresh `@asterism/ostd` module) as the kernel; resolves at power-off. */
export async function runKernel(main: (ostd: Ostd) => Promise<void>, config: BoardConfig = {}): Promise<BoardRun> {
  vi.resetModules();
  const ostd = await import("@asterism/ostd");
  const { boot } = await import("../../src/index.ts");
  const chunks: Uint8Array[] = [];
  const board = createBoard({
    memorySize: 32 * 1024 * 1024,
    ...config,
    console: { input: null, output: { write: (data: Uint8Array) => chunks.push(data.slice()) } },
    log: () => undefined,
  });
  const exitCode = await board.run((machine) => boot(machine, () => main(ostd)));
  return { exitCode, console: Buffer.concat(chunks).toString("utf8") };
}
