/**
 * Finds unsafe code with the very rules that forbid it in services: the service rule set's
 * unsafe-site rules (raw memory, `@unsafe` symbols) are run over every package of the image
 * with no exemptions and no inline-comment escapes, so the TCB figure and the lint boundary
 * can never disagree about what "unsafe" means.
 */
import parser from "@typescript-eslint/parser";
import plugin, { UNSAFE_SITE_RULES } from "@asterism/eslint-plugin";
import { ESLint } from "eslint";
import { relative } from "node:path";
import type { Workspace } from "./workspace.ts";

const PACKAGE_OF_FILE = /^packages\/([^/]+)\/src\//;

/** Unsafe sites per package folder, for the packages listed. */
export async function countUnsafeSites(workspace: Workspace, dirs: readonly string[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>(dirs.map((dir) => [dir, 0]));
  if (dirs.length === 0) return counts;
  const eslint = new ESLint({
    cwd: workspace.root,
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ["**/*.ts"],
        languageOptions: { parser, parserOptions: { projectService: true, tsconfigRootDir: workspace.root } },
        linterOptions: { noInlineConfig: true, reportUnusedDisableDirectives: "off" },
        plugins: { asterism: plugin },
        rules: Object.fromEntries(UNSAFE_SITE_RULES.map((rule) => [`asterism/${rule}`, "error"])),
      },
    ],
  });
  const results = await eslint.lintFiles(dirs.map((dir) => `packages/${dir}/src/**/*.ts`));
  for (const result of results) {
    const dir = PACKAGE_OF_FILE.exec(relative(workspace.root, result.filePath))?.[1];
    if (dir === undefined) continue;
    const fatal = result.messages.find((message) => message.fatal === true);
    if (fatal !== undefined) throw new Error(`${result.filePath}:${fatal.line}: ${fatal.message}`);
    const sites = result.messages.filter((message) => message.ruleId?.startsWith("asterism/") === true).length;
    counts.set(dir, (counts.get(dir) ?? 0) + sites);
  }
  return counts;
}
