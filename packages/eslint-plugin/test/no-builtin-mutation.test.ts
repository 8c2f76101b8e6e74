/**
 * Rule tests for `no-builtin-mutation`: writes to locals pass; every direct, reflective or
 * prototype-chain write to a built-in fails.
 */
import { noBuiltinMutation } from "../src/rules/no-builtin-mutation.ts";
import { runRuleTests } from "./rule-tester.ts";

runRuleTests("no-builtin-mutation", noBuiltinMutation, {
  valid: [
    { code: "const xs = [1, 2]; xs[0] = 3; xs.length = 1;" },
    { code: "class Queue {} Object.defineProperty(Queue.prototype, 'size', { value: 0 });" },
    { code: "const target = {}; Object.assign(target, { a: 1 });" },
    { code: "const copy = Array.from([1]); copy[0] = 2;" },
    { code: "const state = { count: 0 }; state.count++; delete (state as { count?: number }).count;" },
  ],
  invalid: [
    { code: "(Array.prototype as unknown as Record<string, unknown>).last = 1;", errors: [{ messageId: "mutation" }] },
    { code: "Object.defineProperty(Array.prototype, 'last', { value: 1 });", errors: [{ messageId: "mutation" }] },
    { code: "Object.assign(Object.prototype, { polluted: true });", errors: [{ messageId: "mutation" }] },
    { code: "Math.random = () => 4;", errors: [{ messageId: "mutation" }] },
    { code: "Reflect.set(String.prototype, 'shout', () => '');", errors: [{ messageId: "mutation" }] },
    { code: "Object.setPrototypeOf(Object.prototype, null);", errors: [{ messageId: "mutation" }] },
    { code: "declare const x: { __proto__: Record<string, number> }; x.__proto__.y = 1;", errors: [{ messageId: "mutation" }] },
    { code: "(Object.getPrototypeOf([]) as Record<string, unknown>).push = 1;", errors: [{ messageId: "mutation" }] },
    { code: "delete (Array.prototype as unknown as Record<string, unknown>).map;", errors: [{ messageId: "mutation" }] },
    { code: "(globalThis as Record<string, unknown>).x = 1;", errors: [{ messageId: "mutation" }] },
  ],
});
