/**
 * `require-safety-comment` (TCB rule set): every unsafe site in OSTD carries a written reason.
 *
 * Inside the TCB, raw machine handles are allowed: that is what the TCB is for. What keeps it
 * honest is that each use says, directly above its statement, why it is sound
 * (`// SAFETY: the frame is owned by this VmSpace and unmapped from every user`), so a
 * reviewer can check the argument instead of reverse-engineering it.
 */
import type { TSESTree } from "@typescript-eslint/utils";
import { createRule } from "../util/create-rule.ts";
import { anchorStatement, MIN_REASON_LENGTH, safetyJustifier } from "../util/safety-comment.ts";
import { rawMemoryListener, unsafeUseListener } from "../util/unsafe-sites.ts";

export const requireSafetyComment = createRule({
  name: "require-safety-comment",
  meta: {
    type: "problem",
    docs: {
      description:
        "Require a `// SAFETY:` comment above every statement that uses an `@unsafe` symbol or raw memory",
    },
    schema: [],
    messages: {
      missing:
        "Unsafe site `{{what}}` ({{obligation}}) needs a `// SAFETY: <why this is sound>` comment on the line(s) directly above its statement.",
      empty: `The \`// SAFETY:\` comment above \`{{what}}\` ({{obligation}}) must say why it is sound (at least ${String(MIN_REASON_LENGTH)} characters).`,
    },
  },
  defaultOptions: [],
  create(context) {
    const justification = safetyJustifier(context.sourceCode);
    const reported = new Set<TSESTree.Node>();
    const check = (node: TSESTree.Node, what: string, obligation: string): void => {
      const statement = anchorStatement(node);
      if (reported.has(statement)) return;
      const verdict = justification(statement);
      if (verdict === "justified") return;
      reported.add(statement);
      context.report({ node, messageId: verdict, data: { what, obligation } });
    };
    const unsafe = unsafeUseListener(context, (use) => {
      check(use.node, use.name, `@unsafe: ${use.reason}`);
    });
    const raw = rawMemoryListener(context, (use) => {
      check(use.node, use.what, "raw memory");
    });
    return {
      MemberExpression(node) {
        unsafe.MemberExpression?.(node);
        raw.MemberExpression?.(node);
      },
      ObjectPattern(node) {
        unsafe.ObjectPattern?.(node);
        raw.ObjectPattern?.(node);
      },
      "Program:exit"(node: TSESTree.Program) {
        unsafe["Program:exit"]?.(node);
        raw["Program:exit"]?.(node);
      },
    };
  },
});
