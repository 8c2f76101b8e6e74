/**
 * Booting a built image on a fresh board (`createBoard` from @asterism/board-x86) and
 * returning the exit code the kernel powered off with.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { createBoard, type BoardConfig } from "@asterism/board-x86";

export interface BootOptions {
  readonly commandLine?: string;
  /** An initramfs (cpio newc): its bytes, or a host path to read it from. */
  readonly initramfs?: string | Uint8Array;
  /** No terminal input (tests, CI). */
  readonly noInput?: boolean;
  readonly deterministic?: boolean;
  readonly memorySize?: number;
  /** Where the serial console goes (default: the host terminal). */
  readonly output?: { write(data: Uint8Array): unknown };
}

export async function bootImage(imageFile: string, options: BootOptions = {}): Promise<number> {
  const config: BoardConfig = {
    commandLine: options.commandLine ?? "",
    ...(options.initramfs === undefined ? {} : { initramfs: typeof options.initramfs === "string" ? readFileSync(options.initramfs) : options.initramfs }),
    console: {
      ...(options.noInput === true ? { input: null } : {}),
      ...(options.output === undefined ? {} : { output: options.output }),
    },
    ...(options.deterministic === true ? { clock: "deterministic" as const } : {}),
    ...(options.memorySize === undefined ? {} : { memorySize: options.memorySize }),
  };
  const board = createBoard(config);
  return board.run(resolve(imageFile));
}
