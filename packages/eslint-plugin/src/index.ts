/**
 * @asterism/eslint-plugin: the `tcb` and `service` rule sets that keep unsafe code inside OSTD.
 *
 * Loaded from source by the root `.eslintrc.cjs` (through FlatCompat, which `require`s it),
 * so the object is also exported as `module.exports`.
 */
import type { ESLint, Linter } from "eslint";
import { service, tcb } from "./configs.ts";
import { noBuiltinMutation } from "./rules/no-builtin-mutation.ts";
import { noHostApi } from "./rules/no-host-api.ts";
import { noInlineConfig } from "./rules/no-inline-config.ts";
import { noRawMemory } from "./rules/no-raw-memory.ts";
import { noUnsafeApi } from "./rules/no-unsafe-api.ts";
import { packageBoundary } from "./rules/package-boundary.ts";
import { requireSafetyComment } from "./rules/require-safety-comment.ts";
import { unsafeTagHasReason } from "./rules/unsafe-tag-has-reason.ts";

export const rules = {
  "require-safety-comment": requireSafetyComment,
  "unsafe-tag-has-reason": unsafeTagHasReason,
  "no-raw-memory": noRawMemory,
  "no-unsafe-api": noUnsafeApi,
  "no-host-api": noHostApi,
  "package-boundary": packageBoundary,
  "no-builtin-mutation": noBuiltinMutation,
  "no-inline-config": noInlineConfig,
};

export const configs: Record<"tcb" | "service", Linter.LegacyConfig> = { tcb, service };

/**
 * The rules that find unsafe sites (raw memory, uses of `@unsafe` symbols). `osdk tcb` runs
 * them over every image package, without exemptions, to measure which packages are unsafe.
 */
export const UNSAFE_SITE_RULES = ["no-raw-memory", "no-unsafe-api"] as const;

/**
 * The plugin as ESLint sees it. typescript-eslint's RuleModule types the rule context more
 * precisely than ESLint's RuleDefinition, so the two are not assignable to each other even
 * though they are the same objects at run time (typescript-eslint's own plugin does the same).
 */
const plugin: ESLint.Plugin = {
  meta: { name: "@asterism/eslint-plugin", version: "0.1.0" },
  rules: rules as unknown as NonNullable<ESLint.Plugin["rules"]>,
  configs,
};

export default plugin;
export { plugin as "module.exports" };
