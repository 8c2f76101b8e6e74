/**
 * The two rule sets, as eslintrc-style configs (the root `.eslintrc.cjs` extends them as
 * `plugin:@asterism/tcb` and `plugin:@asterism/service` through FlatCompat).
 *
 * `tcb` is for OSTD: raw machine handles are allowed, each with a written justification.
 * `service` is for everything else in the kernel image: none of the machine, none of the
 * host, no type-system escape hatches, and no way to switch any of it off inline.
 */
import type { Linter } from "eslint";

type Config = Linter.LegacyConfig;

export const tcb: Config = {
  plugins: ["@asterism"],
  rules: {
    "@asterism/require-safety-comment": "error",
    "@asterism/unsafe-tag-has-reason": "error",
  },
};

export const service: Config = {
  plugins: ["@asterism", "@typescript-eslint"],
  noInlineConfig: true,
  rules: {
    "@asterism/no-raw-memory": "error",
    "@asterism/no-unsafe-api": "error",
    "@asterism/no-host-api": "error",
    "@asterism/package-boundary": [
      "error",
      { forbidden: ["@asterism/board-x86", "@asterism/ostd-x86"], scope: "@asterism" },
    ],
    "@asterism/no-builtin-mutation": "error",
    "@asterism/no-inline-config": "error",
    "@asterism/unsafe-tag-has-reason": "error",
    "@typescript-eslint/no-explicit-any": "error",
    "@typescript-eslint/no-non-null-assertion": "error",
    "@typescript-eslint/consistent-type-assertions": ["error", { assertionStyle: "never" }],
    "@typescript-eslint/ban-ts-comment": [
      "error",
      { "ts-ignore": true, "ts-nocheck": true, "ts-expect-error": true, "ts-check": false },
    ],
  },
};
