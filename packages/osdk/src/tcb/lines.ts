/**
 * Source lines as the TCB figure counts them: lines that hold at least one token that is
 * not a comment or white space. The file is parsed, not scanned, so regular expressions,
 * strings containing `//` and template literals spanning lines are all counted right.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";

export function countSourceLines(text: string): number {
  const file = ts.createSourceFile("counted.ts", text, ts.ScriptTarget.Latest, true);
  const codeLines = new Set<number>();
  const visit = (node: ts.Node): void => {
    if (node.kind >= ts.SyntaxKind.FirstJSDocNode && node.kind <= ts.SyntaxKind.LastJSDocNode) return;
    const children = node.getChildren(file);
    if (children.length === 0 && node.kind !== ts.SyntaxKind.EndOfFileToken) {
      const first = file.getLineAndCharacterOfPosition(node.getStart(file)).line;
      const last = file.getLineAndCharacterOfPosition(Math.max(node.getStart(file), node.end - 1)).line;
      for (let line = first; line <= last; line++) codeLines.add(line);
    }
    children.forEach(visit);
  };
  visit(file);
  return codeLines.size;
}

/** TypeScript sources under `dir`, recursively, in a stable order. */
export function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...sourceFiles(path));
    else if (entry.name.endsWith(".ts")) files.push(path);
  }
  return files;
}

export function countPackageLines(srcDir: string): number {
  return sourceFiles(srcDir).reduce((sum, file) => sum + countSourceLines(readFileSync(file, "utf8")), 0);
}
