/**
 * The one installed architecture port, kept in a module-private variable.
 *
 * Only OSTD's own modules import this file; the package's public entry does not re-export
 * it, so a service can never obtain the raw `Arch` (physical memory, port I/O, CR3). The
 * port is installed once by `startKernel` and cannot be replaced afterwards.
 */
import type { Arch } from "../arch.ts";
import { OstdError } from "../error.ts";

let installed: Arch | undefined;

export function installArch(arch: Arch): void {
  if (installed !== undefined) {
    throw new OstdError("BadState", "the kernel has already booted");
  }
  installed = arch;
}

/** The installed port; throws before boot. */
export function arch(): Arch {
  if (installed === undefined) {
    throw new OstdError("BadState", "OSTD has not booted yet (no arch port installed)");
  }
  return installed;
}

export function hasBooted(): boolean {
  return installed !== undefined;
}
