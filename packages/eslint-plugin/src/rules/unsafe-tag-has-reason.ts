/**
 * `unsafe-tag-has-reason` (TCB rule set): an `@unsafe` tag states what the caller must uphold.
 *
 * The tag is a contract: it moves a proof obligation from the callee to every caller, and
 * each caller's `// SAFETY:` comment answers it. A bare `@unsafe` leaves callers nothing to
 * answer, so the tag must be followed by the obligation in words.
 */
import type { TSESTree } from "@typescript-eslint/utils";
import { AST_TOKEN_TYPES } from "@typescript-eslint/utils";
import { createRule } from "../util/create-rule.ts";
import { MIN_REASON_LENGTH } from "../util/safety-comment.ts";

/** The text of each `@unsafe` tag in a JSDoc comment body, up to the next tag. */
function unsafeTagTexts(jsdocBody: string): string[] {
  const lines = jsdocBody.split("\n").map((line) => line.replace(/^\s*\*\s?/u, ""));
  const texts: string[] = [];
  let current: string[] | null = null;
  for (const line of lines) {
    const tag = /^\s*@(\w+)(.*)$/u.exec(line);
    if (tag !== null) {
      if (current !== null) texts.push(current.join(" "));
      current = tag[1] === "unsafe" ? [tag[2] ?? ""] : null;
    } else if (current !== null) {
      current.push(line);
    }
  }
  if (current !== null) texts.push(current.join(" "));
  return texts.map((text) => text.trim());
}

export const unsafeTagHasReason = createRule({
  name: "unsafe-tag-has-reason",
  meta: {
    type: "problem",
    docs: { description: "Require every `@unsafe` JSDoc tag to state what the caller must uphold" },
    schema: [],
    messages: {
      bare: `\`@unsafe\` must be followed by what the caller must uphold (at least ${String(MIN_REASON_LENGTH)} characters).`,
    },
  },
  defaultOptions: [],
  create(context) {
    return {
      Program() {
        for (const comment of context.sourceCode.getAllComments()) {
          if (!isJsDoc(comment)) continue;
          if (unsafeTagTexts(comment.value).some((text) => text.length < MIN_REASON_LENGTH)) {
            context.report({ loc: comment.loc, messageId: "bare" });
          }
        }
      },
    };
  },
});

function isJsDoc(comment: TSESTree.Comment): boolean {
  return comment.type === AST_TOKEN_TYPES.Block && comment.value.startsWith("*");
}
