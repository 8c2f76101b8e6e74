/**
 * Reading a kernel (or test) package: where it is, what it is called, and which module
 * holds its main function.
 *
 * A kernel package names its main module in package.json:
 *
 *     "asterism": { "main": "./src/main.ts" }
 *
 * and that module exports the kernel's main function as `main` (or as its default export):
 * `export async function main(): Promise<void>`. The package never imports arch code;
 * `osdk build` generates the image entry that joins main to `@asterism/ostd-x86`'s boot.
 */
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

export class ImageError extends Error {
  override readonly name = "ImageError";
}

export interface KernelPackage {
  readonly dir: string;
  readonly name: string;
  /** Absolute path of the module exporting main, if the package declares one. */
  readonly mainModule: string | undefined;
  /**
   * Absolute path of the module that builds the package's default initramfs, if it declares
   * one (`"asterism": {"initramfs": "./initramfs/default-initramfs.ts"}`): it exports
   * `buildDefaultInitramfs({ busybox, bash?, extra? }): Uint8Array`.
   */
  readonly initramfsModule: string | undefined;
}

export function readKernelPackage(dir: string): KernelPackage {
  const root = resolve(dir);
  const manifestPath = join(root, "package.json");
  if (!existsSync(manifestPath)) throw new ImageError(`${root} is not a package (no package.json)`);
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
  } catch (error) {
    throw new ImageError(`${manifestPath} is not valid JSON: ${String(error)}`);
  }
  const name = field(manifest, "name");
  const declared = field(manifest, "asterism");
  const moduleOf = (key: string): string | undefined => {
    const path = field(declared, key);
    if (path === undefined) return undefined;
    if (typeof path !== "string") throw new ImageError(`${manifestPath}: asterism.${key} must be a path string`);
    const module = join(root, path);
    if (!existsSync(module)) throw new ImageError(`${manifestPath}: asterism.${key} "${path}" does not exist`);
    return module;
  };
  return { dir: root, name: typeof name === "string" ? name : root, mainModule: moduleOf("main"), initramfsModule: moduleOf("initramfs") };
}

/** The package's in-kernel test files: `ktest/**\/*.ktest.ts`, sorted. */
export function findKtestFiles(pkg: KernelPackage): string[] {
  const root = join(pkg.dir, "ktest");
  if (!existsSync(root)) return [];
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir).sort()) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (entry.endsWith(".ktest.ts")) found.push(path);
    }
  };
  walk(root);
  return found;
}

function field(value: unknown, key: string): unknown {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}
