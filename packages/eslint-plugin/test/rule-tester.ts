/**
 * RuleTester wired to vitest, with typed linting over a fixture tsconfig (es2024 lib, no
 * DOM and no Node types), so type-aware rules see the lib the packages see. Inline
 * configuration is off, as in the service rule set.
 */
import { RuleTester, type RunTests } from "@typescript-eslint/rule-tester";
import type { RuleModule } from "@typescript-eslint/utils/ts-eslint";
import { afterAll, describe, it } from "vitest";

RuleTester.afterAll = afterAll;
RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

export const fixtures = `${import.meta.dirname}/fixtures`;

const languageOptions = { parserOptions: { projectService: true, tsconfigRootDir: fixtures } };
const tester = new RuleTester({ linterOptions: { noInlineConfig: true }, languageOptions });

/**
 * A tester with inline configuration left on (and unused directives not reported), for the
 * rule that reports inline configuration: under `noInlineConfig` ESLint adds a warning of
 * its own for each directive, which RuleTester would count as an unexpected error.
 */
const inlineConfigTester = new RuleTester({ linterOptions: { reportUnusedDisableDirectives: "off" }, languageOptions });

/**
 * Runs `tests` against `rule`; the default file is `fixtures/file.ts`. (rule-tester lags
 * @typescript-eslint/utils by a minor version, so its RuleModule type is a structural twin
 * of ours: hence the cast.)
 */
export function runRuleTests<MessageIds extends string, Options extends readonly unknown[]>(
  name: string,
  rule: RuleModule<MessageIds, Options>,
  tests: RunTests<MessageIds, Options>,
  { inlineConfig = false }: { inlineConfig?: boolean } = {},
): void {
  const chosen = inlineConfig ? inlineConfigTester : tester;
  chosen.run(name, rule as unknown as Parameters<typeof chosen.run<MessageIds, Options>>[1], tests);
}
