/**
 * The generated image entry (what cargo-osdk's base crate is for Asterinas): a small ES
 * module that imports `boot` from `@asterism/ostd-x86` and the kernel's main function, and
 * exports `boot(machine)` as the board's `ImageEntry` expects. Paths are absolute, so the
 * kernel package needs no dependency on arch code.
 */

/** Entry of a kernel image: `main` comes from the kernel package's main module. */
export function kernelEntrySource(archBoot: string, mainModule: string): string {
  return [
    `import { boot as bootArch } from ${JSON.stringify(archBoot)};`,
    `import * as kernel from ${JSON.stringify(mainModule)};`,
    `const main = typeof kernel.main === "function" ? kernel.main : kernel.default;`,
    `if (typeof main !== "function") throw new Error(${JSON.stringify(`${mainModule} exports no main function`)});`,
    `export function boot(machine) { return bootArch(machine, main); }`,
    "",
  ].join("\n");
}

/** Entry of a test image: registers every ktest file, then runs them with ostd's harness. */
export function testEntrySource(archBoot: string, ostd: string, ktestFiles: readonly string[]): string {
  return [
    `import { boot as bootArch } from ${JSON.stringify(archBoot)};`,
    `import { runKtests } from ${JSON.stringify(ostd)};`,
    ...ktestFiles.map((file) => `import ${JSON.stringify(file)};`),
    `export function boot(machine) { return bootArch(machine, () => runKtests()); }`,
    "",
  ].join("\n");
}
