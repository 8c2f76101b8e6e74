/**
 * Tests for `no-inline-config`: its directive grammar (ESLint's own), the rule on per-rule
 * directives, and on blanket ones under `noInlineConfig`, where they must switch nothing off.
 */
import * as parser from "@typescript-eslint/parser";
import { Linter } from "@typescript-eslint/utils/ts-eslint";
import { describe, expect, it } from "vitest";
import { inlineConfigDirective, noInlineConfig } from "../src/rules/no-inline-config.ts";
import { runRuleTests } from "./rule-tester.ts";

describe("inlineConfigDirective", () => {
  it("follows ESLint's grammar: line comments only carry the -line forms", () => {
    expect(inlineConfigDirective(true, " eslint-disable-next-line no-eval -- why")).toBe("eslint-disable-next-line");
    expect(inlineConfigDirective(true, " eslint-disable no-eval")).toBeNull();
    expect(inlineConfigDirective(false, " eslint-disable ")).toBe("eslint-disable");
    expect(inlineConfigDirective(false, " global foo ")).toBe("global");
    expect(inlineConfigDirective(true, " global descriptor table")).toBeNull();
    expect(inlineConfigDirective(false, " eslintrc is gone ")).toBeNull();
  });
});

/**
 * Linted through the real Linter, as in the service override: with `noInlineConfig` the
 * directives are inert (ESLint only warns), and the rule turns each into a named error.
 */
function lint(code: string): Linter.LintMessage[] {
  return new Linter().verify(code, {
    files: ["**/*.ts"],
    languageOptions: { parser },
    plugins: { "@asterism": { rules: { "no-inline-config": noInlineConfig } } },
    linterOptions: { noInlineConfig: true },
    rules: { "@asterism/no-inline-config": "error" },
  }, "service.ts");
}

const errorsOf = (code: string): string[] =>
  lint(code).filter((message) => message.severity === 2).map((message) => `${String(message.ruleId)} ${String(message.line)}`);

describe("no-inline-config with noInlineConfig on, as in the service set", () => {
  it("passes ordinary comments that merely mention ESLint or globals", () => {
    expect(errorsOf("// The eslint-disable comment is explained in the README.\nconst a = 1;")).toEqual([]);
    expect(errorsOf("/** The global descriptor table is not used. */\nconst b = 2;")).toEqual([]);
  });

  it("reports every directive form, and the directive itself switches nothing off", () => {
    for (const code of [
      "/* eslint-disable */\nconst a = 1;",
      "const a = 1; // eslint-disable-line",
      "// eslint-disable-next-line @asterism/no-inline-config -- trust me\nconst a = 1;",
      "/* eslint @asterism/no-inline-config: off */\nconst a = 1;",
      "/* global DataView */\nconst a = 1;",
    ]) {
      expect(errorsOf(code), code).toEqual(["@asterism/no-inline-config 1"]);
    }
  });
});

runRuleTests(
  "no-inline-config",
  noInlineConfig,
  {
    valid: [
      { code: "// The eslint-disable comment is explained in the README.\nconst a = 1;" },
      { code: "/** The global descriptor table is not used. */\nconst b = 2;" },
    ],
    invalid: [
      { code: "// eslint-disable-next-line no-eval -- trust me\nconst a = 1;", errors: [{ messageId: "inline", data: { directive: "eslint-disable-next-line" } }] },
      { code: "const a = 1; // eslint-disable-line no-eval", errors: [{ messageId: "inline", data: { directive: "eslint-disable-line" } }] },
      { code: "/* eslint-disable no-eval */\nconst a = 1;\n/* eslint-enable no-eval */", errors: [{ messageId: "inline", data: { directive: "eslint-disable" } }, { messageId: "inline", data: { directive: "eslint-enable" } }] },
      { code: "/* eslint no-eval: off */\nconst a = 1;", errors: [{ messageId: "inline", data: { directive: "eslint" } }] },
      { code: "/* global DataView */\nconst a = 1;", errors: [{ messageId: "inline", data: { directive: "global" } }] },
    ],
  },
  { inlineConfig: true },
);
