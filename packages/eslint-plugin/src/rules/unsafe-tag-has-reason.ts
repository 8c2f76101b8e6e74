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
export function unsafeTagTexts(jsdocBody: string): string[] {
  const text = jsdocBody
    .split("\n")
    .map((line) => line.replace(/^\s*\*\s?/u, ""))
    .join("\n");
  const tags = [...text.matchAll(/(?<=^|\s)@(\w+)/gu)];
  return tags.flatMap((tag, index) => {
    if (tag[1] !== "unsafe") return [];
    const end = tags[index + 1]?.index ?? text.length;
    return [text.slice(tag.index + tag[0].length, end).trim()];
  });
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
