/**
 * Where a `// SAFETY:` justification belongs and whether one is there.
 *
 * The justification sits on the line(s) directly above the statement that contains the
 * unsafe site, as in Rust (Asterinas has hundreds of them). "Statement" means the innermost
 * statement in a statement list (or a class member), so one comment covers a whole
 * statement and a site nested in a callback is justified right where it happens.
 */
import type { TSESLint, TSESTree } from "@typescript-eslint/utils";
import { AST_NODE_TYPES } from "@typescript-eslint/utils";

/** A justification shorter than this says nothing about why the site is sound. */
export const MIN_REASON_LENGTH = 10;

const STATEMENT_LIST_PARENTS: ReadonlySet<string> = new Set([
  AST_NODE_TYPES.Program,
  AST_NODE_TYPES.BlockStatement,
  AST_NODE_TYPES.StaticBlock,
  AST_NODE_TYPES.SwitchCase,
  AST_NODE_TYPES.TSModuleBlock,
]);

const CLASS_MEMBERS: ReadonlySet<string> = new Set([
  AST_NODE_TYPES.PropertyDefinition,
  AST_NODE_TYPES.AccessorProperty,
  AST_NODE_TYPES.MethodDefinition,
]);

/** True for a statement that is the body of a control statement: `if (x) stmt;`. */
function isControlBody(node: TSESTree.Node, parent: TSESTree.Node): boolean {
  switch (parent.type) {
    case AST_NODE_TYPES.IfStatement:
      return parent.consequent === node || parent.alternate === node;
    case AST_NODE_TYPES.ForStatement:
    case AST_NODE_TYPES.ForInStatement:
    case AST_NODE_TYPES.ForOfStatement:
    case AST_NODE_TYPES.WhileStatement:
    case AST_NODE_TYPES.DoWhileStatement:
    case AST_NODE_TYPES.LabeledStatement:
      return parent.body === node;
    default:
      return false;
  }
}

/** The statement (or class member) whose preceding lines must justify `node`. */
export function anchorStatement(node: TSESTree.Node): TSESTree.Node {
  let current = node;
  for (;;) {
    const parent = current.parent;
    if (parent === undefined) return current;
    if (CLASS_MEMBERS.has(current.type) && parent.type === AST_NODE_TYPES.ClassBody) return current;
    if (STATEMENT_LIST_PARENTS.has(parent.type) || isControlBody(current, parent)) return current;
    if (
      parent.type === AST_NODE_TYPES.ExportNamedDeclaration ||
      parent.type === AST_NODE_TYPES.ExportDefaultDeclaration
    ) {
      return parent;
    }
    current = parent;
  }
}

/** What the comments directly above `statement` say about its safety. */
export type SafetyJustification = "justified" | "missing" | "empty";

const SAFETY_PREFIX = /^\s*\*?\s*SAFETY:/u;

/** True when nothing but whitespace precedes `comment` on its first line. */
function startsItsLine(sourceCode: Readonly<TSESLint.SourceCode>, comment: TSESTree.Comment): boolean {
  const before = sourceCode.getTokenBefore(comment, { includeComments: true });
  return before === null || before.loc.end.line < comment.loc.start.line;
}

/**
 * Looks at the run of comments on the lines directly above the line where `statement` starts
 * (no blank line in between) for one that starts with `SAFETY:` and gives a reason. Going by
 * lines lets `if (x) cpu.flushTlb();` and `else cpu.invalidatePage(va);` be justified by
 * the comment above the `if` and the `else` lines. The returned function indexes the
 * file's comments once.
 */
export function safetyJustifier(
  sourceCode: Readonly<TSESLint.SourceCode>,
): (statement: TSESTree.Node) => SafetyJustification {
  let commentsByEndLine: Map<number, TSESTree.Comment> | null = null;
  return (statement) => {
    if (commentsByEndLine === null) {
      commentsByEndLine = new Map();
      for (const comment of sourceCode.getAllComments()) {
        if (startsItsLine(sourceCode, comment)) commentsByEndLine.set(comment.loc.end.line, comment);
      }
    }
    const run: TSESTree.Comment[] = [];
    for (let line = statement.loc.start.line - 1; ; ) {
      const comment = commentsByEndLine.get(line);
      if (comment === undefined) break;
      run.unshift(comment);
      line = comment.loc.start.line - 1;
    }
    const start = run.findIndex((comment) => SAFETY_PREFIX.test(comment.value));
    if (start < 0) return "missing";
    const reason = run
      .slice(start)
      .map((comment) => comment.value)
      .join(" ")
      .replace(SAFETY_PREFIX, "")
      .trim();
    return reason.length >= MIN_REASON_LENGTH ? "justified" : "empty";
  };
}
