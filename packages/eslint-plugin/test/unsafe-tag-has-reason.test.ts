/**
 * Rule tests for `unsafe-tag-has-reason`: a tag with its obligation passes, a bare one fails
 * wherever it sits in the comment.
 */
import { unsafeTagHasReason } from "../src/rules/unsafe-tag-has-reason.ts";
import { runRuleTests } from "./rule-tester.ts";

runRuleTests("unsafe-tag-has-reason", unsafeTagHasReason, {
  valid: [
    { code: "/** @unsafe the caller must own every frame. */\ndeclare function f(): void;" },
    { code: "/**\n * Writes CR3.\n * @unsafe the table must map only untyped\n *   frames into user space.\n * @param pfn the root\n */\ndeclare function g(pfn: number): void;" },
    { code: "// @unsafe in a line comment is not a tag\nconst a = 1;" },
  ],
  invalid: [
    { code: "/** @unsafe */\ndeclare function f(): void;", errors: [{ messageId: "bare" }] },
    { code: "/**\n * Pokes RAM.\n * @unsafe\n * @param at where\n */\ndeclare function g(at: number): void;", errors: [{ messageId: "bare" }] },
    { code: "/** @unsafe yes */\ndeclare function h(): void;", errors: [{ messageId: "bare" }] },
    { code: "/** Pokes a port. @unsafe */\ndeclare function p(): void;", errors: [{ messageId: "bare" }] },
  ],
});
