/**
 * The allowed-import graph of the kernel (docs: shared design brief, "The packages"), as
 * dependency-cruiser rules over the whole workspace. ESLint enforces the same boundary per
 * file in the editor; this file checks the graph as a whole: layers, cycles, deep imports
 * and unresolvable imports.
 *
 *   ostd-x86  -> ostd                       (and `import type` of board-x86's machine interface)
 *   svc-*     -> ostd, other svc-* public entry points
 *   kernel    -> ostd, svc-*
 *   osdk      -> anything (a host tool, never shipped inside an image)
 *   board-x86 -> nothing of the kernel
 *
 * The layer rules look at image code only (`src/`, and `ktest/`, the in-kernel tests that
 * `osdk test` boots): host-side tests and benches may use Node and the board. Workspace packages resolve through pnpm's symlinks to their real paths, so every
 * rule is written against `packages/<name>/` paths.
 */

/** Packages that end up in the kernel image. */
const IMAGE = "(ostd|ostd-x86|svc-[^/]+|kernel)";
/** Image code of a package (regex fragment): `src/` and the in-kernel tests in `ktest/`. */
const srcOf = (name) => `^packages/${name}/(src|ktest)/`;

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "Modules must not import each other in a cycle at run time (type-only edges do not count).",
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ["type-only", "type-import"] } },
    },
    {
      name: "not-to-unresolvable",
      severity: "error",
      comment: "Every import must resolve; under pnpm an undeclared package does not, so declare it.",
      from: {},
      to: { couldNotResolve: true, pathNot: "^@asterism/[^/]+/." },
    },
    {
      name: "not-to-undeclared",
      severity: "error",
      comment: "Every npm package a module imports must be declared in its package.json.",
      from: {},
      to: { dependencyTypes: ["npm-no-pkg", "npm-unknown"] },
    },
    {
      name: "no-deep-imports",
      severity: "error",
      comment: "Another package is imported by its name and lands on its public entry, src/index.ts.",
      from: { path: "^packages/([^/]+)/" },
      to: {
        path: "^packages/[^/]+/",
        pathNot: ["^packages/$1/", "^packages/[^/]+/src/index[.]ts$", "^packages/[^/]+/package[.]json$"],
      },
    },
    {
      name: "no-deep-imports",
      severity: "error",
      comment: "`@asterism/<name>/<path>` reaches into internals; the exports map blocks it, so import `@asterism/<name>`.",
      from: {},
      to: { couldNotResolve: true, path: "^@asterism/[^/]+/." },
    },
    {
      name: "ostd-imports-no-package",
      severity: "error",
      comment: "ostd is the bottom of the kernel: arch-neutral, it imports no other workspace package.",
      from: { path: srcOf("ostd") },
      to: { path: "^packages/", pathNot: "^packages/ostd/" },
    },
    {
      name: "ostd-x86-imports-only-ostd",
      severity: "error",
      comment: "ostd-x86 builds on ostd; of the board it sees only the machine interface's types.",
      from: { path: srcOf("ostd-x86") },
      to: { path: "^packages/", pathNot: "^packages/(ostd|ostd-x86|board-x86)/" },
    },
    {
      name: "ostd-x86-board-type-only",
      severity: "error",
      comment: "ostd-x86 may `import type` the board's machine interface, never board code: the board loads the kernel, not the reverse.",
      from: { path: srcOf("ostd-x86") },
      to: { path: "^packages/board-x86/", dependencyTypesNot: ["type-only", "type-import"] },
    },
    {
      name: "svc-imports-only-ostd-and-svc",
      severity: "error",
      comment: "Services reach the machine only through ostd: no board, no ostd-x86, no kernel.",
      from: { path: srcOf("svc-[^/]+") },
      to: { path: "^packages/", pathNot: ["^packages/(ostd|svc-[^/]+)/", "^packages/(osdk|eslint-plugin)/"] },
    },
    {
      name: "kernel-imports-only-ostd-and-svc",
      severity: "error",
      comment: "The kernel is built on ostd and the services; `osdk build` wires in the arch half.",
      from: { path: srcOf("kernel") },
      to: { path: "^packages/", pathNot: ["^packages/(kernel|ostd|svc-[^/]+)/", "^packages/(osdk|eslint-plugin)/"] },
    },
    {
      name: "board-imports-nothing-of-the-kernel",
      severity: "error",
      comment: "The board is hardware: it loads a kernel image and never imports kernel code.",
      from: { path: srcOf("board-x86") },
      to: { path: "^packages/", pathNot: "^packages/board-x86/" },
    },
    {
      name: "image-not-to-host-tools",
      severity: "error",
      comment: "osdk and eslint-plugin are host tools; nothing in the kernel image may import them.",
      from: { path: srcOf(IMAGE) },
      to: { path: "^packages/(osdk|eslint-plugin)/" },
    },
    {
      name: "image-not-to-node-builtins",
      severity: "error",
      comment: "The kernel image runs on the board, not on the host: no Node built-in modules in its sources.",
      from: { path: srcOf(IMAGE) },
      to: { dependencyTypes: ["core"] },
    },
    {
      name: "image-not-to-dev-dependencies",
      severity: "error",
      comment: "Shipped sources may only use run-time dependencies (type-only imports of dev dependencies are fine).",
      from: { path: srcOf(IMAGE) },
      to: { dependencyTypes: ["npm-dev"], dependencyTypesNot: ["type-only", "type-import"] },
    },
  ],
  options: {
    doNotFollow: { path: ["node_modules"] },
    exclude: { path: ["/dist/", "/[.]turbo/", "/test/fixtures/"] },
    tsPreCompilationDeps: true,
    preserveSymlinks: false,
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "types", "default"],
      extensions: [".ts", ".d.ts", ".js", ".mjs", ".cjs", ".json"],
      mainFields: ["module", "main", "types"],
    },
    reporterOptions: { archi: { collapsePattern: "^packages/[^/]+" } },
  },
};
