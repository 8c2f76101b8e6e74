/**
 * The lint policy of the whole repository: the single policy file (eslint.config.mjs only
 * translates it for ESLint 10). Every package lints with this file (`--config`), never with
 * its own, so no package can choose its rule set.
 *
 * `settings.asterism` declares, once, which packages are the TCB (raw machine access allowed,
 * each use justified), which are services (everything else in the kernel image: no machine,
 * no host) and which are host tools outside the image. The overrides below are generated
 * from it, and `osdk tcb` compares the measured TCB against the declared one.
 */
const asterism = {
  tcb: ["ostd", "ostd-x86"],
  service: ["svc-*", "kernel"],
  host: ["board-x86", "osdk", "eslint-plugin"],
};

/**
 * The kernel-image code of the named packages (globs allowed), relative to the root: `src/`
 * and the in-kernel tests in `ktest/`, which `osdk test` boots inside the image.
 */
const sourcesOf = (packages) =>
  packages.flatMap((name) => [`packages/${name}/src/**/*.ts`, `packages/${name}/ktest/**/*.ts`]);

module.exports = {
  root: true,
  settings: { asterism },
  parser: "@typescript-eslint/parser",
  parserOptions: { projectService: true, tsconfigRootDir: __dirname },
  plugins: ["@typescript-eslint", "@asterism"],
  ignorePatterns: ["**/dist/**", "**/node_modules/**", "**/*.js", "**/*.cjs", "**/*.mjs"],
  overrides: [
    {
      // Host code, host-side tests and benches: may use Node; type-checked but not strict.
      files: ["**/*.ts"],
      extends: ["eslint:recommended", "plugin:@typescript-eslint/recommended-type-checked"],
      rules: { "@asterism/unsafe-tag-has-reason": "error" },
    },
    {
      // Everything that ends up in the kernel image.
      files: sourcesOf([...asterism.tcb, ...asterism.service]),
      extends: ["plugin:@typescript-eslint/strict-type-checked"],
    },
    { files: sourcesOf(asterism.tcb), extends: ["plugin:@asterism/tcb"] },
    { files: sourcesOf(asterism.service), extends: ["plugin:@asterism/service"] },
    {
      // The board's block translator turns guest x86 blocks into JavaScript with `new Function`:
      // generating code is its purpose. Host code only; image packages can never do this.
      files: ["packages/board-x86/src/cpu/jit/compile.ts"],
      rules: { "@typescript-eslint/no-implied-eval": "off" },
    },
  ],
};
