/**
 * The one RuleCreator every Asterism rule is built with, so that each rule's `docs.url`
 * points at its section of the plugin README (where the reasoning behind it lives).
 */
import { ESLintUtils } from "@typescript-eslint/utils";

export const createRule = ESLintUtils.RuleCreator(
  (name) => `https://github.com/asterism-os/asterism/blob/main/packages/eslint-plugin/README.md#${name}`,
);
