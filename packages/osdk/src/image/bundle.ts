/**
 * Bundling an image with esbuild: the generated entry plus everything it imports (ostd,
 * ostd-x86, services, the kernel) into one ES module with no host imports, loadable by the
 * board with `import()`. Module paths that a kernel package imports are resolved from the
 * package's own directory; arch code is resolved from osdk's, so it is always the copy osdk
 * was installed with.
 */
import { createRequire } from "node:module";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { ImageError, type KernelPackage } from "./kernel-package.ts";

export interface BundleResult {
  readonly outFile: string;
  readonly bytes: number;
}

/** Absolute path of `specifier` as a module in `fromDir` would import it. */
export function resolveFrom(fromDir: string, specifier: string): string {
  try {
    return createRequire(join(fromDir, "package.json")).resolve(specifier);
  } catch {
    throw new ImageError(`cannot resolve ${specifier} from ${fromDir}: add it to the package's dependencies`);
  }
}

/** Where `@asterism/ostd` lives for a package (itself, when the package is ostd). */
export function ostdFor(pkg: KernelPackage): string {
  return pkg.name === "@asterism/ostd" ? join(pkg.dir, "src/index.ts") : resolveFrom(pkg.dir, "@asterism/ostd");
}

/** Where osdk's own `@asterism/ostd-x86` lives. */
export function archBootModule(): string {
  return resolveFrom(dirname(fileURLToPath(import.meta.url)), "@asterism/ostd-x86");
}

export interface BundleOptions {
  /**
   * Keep modules imported only for their side effects even in packages that declare
   * `"sideEffects": false` (ktest files register tests by being imported).
   */
  readonly keepSideEffectImports?: boolean;
}

export async function bundleImage(entrySource: string, pkg: KernelPackage, outFile: string, options: BundleOptions = {}): Promise<BundleResult> {
  mkdirSync(dirname(outFile), { recursive: true });
  const result = await build({
    stdin: { contents: entrySource, resolveDir: pkg.dir, sourcefile: "asterism-image-entry.js", loader: "js" },
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2024",
    outfile: outFile,
    sourcemap: "linked",
    metafile: true,
    logLevel: "silent",
    ignoreAnnotations: options.keepSideEffectImports === true,
  }).catch((error: unknown) => {
    throw new ImageError(`bundling ${pkg.name} failed: ${error instanceof Error ? error.message : String(error)}`);
  });
  const output = result.metafile.outputs[Object.keys(result.metafile.outputs).find((path) => path.endsWith(".js")) ?? ""];
  return { outFile, bytes: output?.bytes ?? 0 };
}
