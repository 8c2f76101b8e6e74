/**
 * A kernel with a small ramfs and a scripted init, for syscall-level tests on the board:
 * `programs` maps instruction addresses to steps (see user-script.ts), fds 0-2 of init
 * write into `output`, and `runInit` returns init's wait status.
 */
import { O_CREAT, O_WRONLY, RamFs, Vfs, type FileHandle } from "@asterism/svc-fs";
import { PipeRegistry } from "../../src/ipc/fifo.ts";
import type { Kernel } from "../../src/kernel.ts";
import { createKernel } from "../../src/setup.ts";
import { buildElf, PF_R, PF_X } from "./elf-builder.ts";
import { scriptedUser, type Step } from "./user-script.ts";

export const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
export const decode = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

export const programs = new Map<number, Step>();
export const user = scriptedUser(programs);
export const output: string[] = [];
export const events: string[] = [];

/** Replaces the scripted programs and clears the captured output. */
export function loadPrograms(...maps: Map<number, Step>[]): void {
  programs.clear();
  output.length = 0;
  for (const map of maps) for (const [address, step] of map) programs.set(address, step);
}

/** A minimal static executable whose code page starts at `entry`. */
export function executable(entry: number): Uint8Array {
  return buildElf({
    entry,
    segments: [
      { flags: PF_R, offset: 0, vaddr: 0x400000, fileSize: 0x100, memSize: 0x100 },
      { flags: PF_R | PF_X, offset: 0x1000, vaddr: entry, fileSize: 0x100, memSize: 0x1000 },
    ],
    fileSize: 0x1100,
  });
}

function captureHandle(): FileHandle {
  return {
    seekable: false,
    read: () => new Uint8Array(0),
    write: (_offset, data) => {
      output.push(decode(data));
      return data.length;
    },
  };
}

export async function bootKernel(files: Record<string, Uint8Array>): Promise<Kernel> {
  let now = 0;
  const pipes = new PipeRegistry();
  const vfs = new Vfs({ clock: () => ({ sec: now++, nsec: 0 }), fifoOpener: pipes.opener, rootFs: new RamFs({ clock: () => ({ sec: 0, nsec: 0 }), type: "ramfs" }) });
  const ctx = vfs.createContext();
  vfs.mkdir(ctx, null, "/bin", 0o755);
  for (const [path, bytes] of Object.entries(files)) {
    const file = await vfs.open(ctx, null, path, O_CREAT | O_WRONLY, 0o755);
    await file.write(bytes);
    file.release();
  }
  return createKernel({ vfs, pipes, log: (message) => events.push(message), entropySeed: 42 });
}

export async function runInit(path: string, argv: string[]): Promise<number> {
  const kernel = await bootKernel({
    "/bin/init": executable(0x401000),
    "/bin/other": executable(0x402000),
    "/bin/script": encode("#!/bin/other -x\necho\n"),
    "/bin/garbage": encode("\x7fELF but not really"),
  });
  const init = await kernel.spawnInit(path, argv, ["HOME=/"], (files, process) => {
    const out = kernel.vfs.openAnonymous(process.fs, captureHandle(), O_WRONLY);
    files.install(out, false);
    files.install(out.acquire(), false);
    files.install(out.acquire(), false);
  });
  return kernel.waitForExit(init);
}

