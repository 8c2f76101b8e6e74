/**
 * The board's loader, image half: turns what `Board.run` was given (a path to an ES module
 * built by `osdk build`, or an `ImageEntry` function) into the entry point to call. A module
 * that cannot be imported or exports no `boot` function is a `BoardError` naming the file.
 */

import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { BoardError } from "../board-error.ts";
import type { ImageEntry } from "../machine.ts";

export async function loadImage(image: string | ImageEntry): Promise<ImageEntry> {
  if (typeof image === "function") return image;
  const url = pathToFileURL(resolve(image)).href;
  let module: unknown;
  try {
    module = await import(url);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new BoardError(`cannot load kernel image "${image}": ${reason}`);
  }
  const boot: unknown = typeof module === "object" && module !== null && "boot" in module ? module.boot : undefined;
  if (!isImageEntry(boot)) {
    throw new BoardError(`kernel image "${image}" has no entry point: it must export "async function boot(machine)"`);
  }
  return boot;
}

/** A module's export is trusted to have the `ImageEntry` signature once it is a function. */
function isImageEntry(value: unknown): value is ImageEntry {
  return typeof value === "function";
}
