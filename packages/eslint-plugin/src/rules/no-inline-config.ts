/**
 * `no-inline-config` (service rule set): a service cannot switch its own rules off.
 *
 * The service overrides set `noInlineConfig`, so `// eslint-disable` and friends have no
 * effect there; ESLint itself only warns about them. This rule makes each such comment an
 * error with a name, so that an attempt to opt out fails the build visibly instead of
 * sitting in the code looking as if it worked. The directive grammar mirrors ESLint's own.
 */
import { AST_TOKEN_TYPES } from "@typescript-eslint/utils";
import { createRule } from "../util/create-rule.ts";

const DIRECTIVE = /^(eslint(?:-env|-enable|-disable(?:(?:-next)?-line)?)?|exported|globals?)(?:\s|$)/u;
const LINE_DIRECTIVE = /^eslint-disable-(?:next-)?line$/u;

/** The directive a comment body holds (`eslint-disable`, `global`, ...), or null. */
export function inlineConfigDirective(isLineComment: boolean, body: string): string | null {
  const directivePart = body.split(/\s-{2,}\s/u)[0]?.trim() ?? "";
  const directive = DIRECTIVE.exec(directivePart)?.[1];
  if (directive === undefined) return null;
  if (isLineComment && !LINE_DIRECTIVE.test(directive)) return null;
  return directive;
}

export const noInlineConfig = createRule({
  name: "no-inline-config",
  meta: {
    type: "problem",
    docs: { description: "Report every inline ESLint configuration comment in service code" },
    schema: [],
    messages: {
      inline: "`{{directive}}` comments have no effect in service code: the boundary rules cannot be switched off.",
    },
  },
  defaultOptions: [],
  create(context) {
    return {
      Program() {
        for (const comment of context.sourceCode.getAllComments()) {
          const directive = inlineConfigDirective(comment.type === AST_TOKEN_TYPES.Line, comment.value);
          if (directive !== null) context.report({ loc: comment.loc, messageId: "inline", data: { directive } });
        }
      },
    };
  },
});
