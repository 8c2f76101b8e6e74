/**
 * Lints planted code as if it were a file of a real package, with the root policy
 * (`eslint.config.mjs` -> `.eslintrc.cjs`) exactly as `pnpm lint` uses it. `lintText` takes
 * the text from memory, so nothing is ever written into the packages; typed linting sees the
 * planted text in place of the file's own.
 */
import { ESLint } from "eslint";
import { join, resolve } from "node:path";

export const repoRoot = resolve(import.meta.dirname, "../../..");

const eslint = new ESLint({ cwd: repoRoot, overrideConfigFile: join(repoRoot, "eslint.config.mjs") });

export interface LintFinding {
  readonly rule: string | null;
  readonly line: number;
  readonly message: string;
}

/** The errors ESLint reports for `code` placed at `file` (relative to the repo root). */
export async function lintAs(file: string, code: string): Promise<LintFinding[]> {
  const [result] = await eslint.lintText(code, { filePath: join(repoRoot, file) });
  if (result === undefined) throw new Error(`ESLint returned no result for ${file}`);
  return result.messages
    .filter((message) => message.severity === 2)
    .map((message) => ({ rule: message.ruleId, line: message.line, message: message.message }));
}

/** The names of the rules that reported errors, sorted and de-duplicated. */
export async function rulesFailing(file: string, code: string): Promise<string[]> {
  const findings = await lintAs(file, code);
  return [...new Set(findings.map((finding) => finding.rule ?? `fatal: ${finding.message}`))].sort();
}
