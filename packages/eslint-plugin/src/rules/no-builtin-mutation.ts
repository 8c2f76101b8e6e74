/**
 * `no-builtin-mutation` (service rule set): services never change the language's built-ins.
 *
 * Every package of the kernel image shares one realm. A service that patched
 * `Array.prototype`, `Object.prototype`, `Math.random` or `JSON.parse` would change the
 * behaviour of OSTD itself, i.e. run its code inside the TCB. The rule catches assignment,
 * update and `delete` through a built-in (`Array.prototype.x = f`, `x.__proto__.y = 1`,
 * `Object.getPrototypeOf(x).y = 1`) and the reflective forms (`Object.defineProperty`,
 * `Object.assign`, `Object.setPrototypeOf`, `Reflect.set`, ...) aimed at one.
 */
import type { TSESLint, TSESTree } from "@typescript-eslint/utils";
import { AST_NODE_TYPES } from "@typescript-eslint/utils";
import { createRule } from "../util/create-rule.ts";
import { isTypeWrapper, isUnshadowedGlobal, staticPropertyName } from "../util/global-names.ts";

/** Reflective writers, by object and method, whose first argument is the object written. */
const REFLECTIVE_WRITERS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ["Object", new Set(["defineProperty", "defineProperties", "assign", "setPrototypeOf"])],
  ["Reflect", new Set(["set", "defineProperty", "deleteProperty", "setPrototypeOf"])],
]);

/** Calls that hand out a prototype: writing through their result mutates a shared object. */
const PROTOTYPE_GETTERS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ["Object", new Set(["getPrototypeOf"])],
  ["Reflect", new Set(["getPrototypeOf"])],
]);

/** `Object.getPrototypeOf`-style call: `object.method(...)` with both names in `table`. */
function isCallOf(node: TSESTree.Node, table: ReadonlyMap<string, ReadonlySet<string>>): node is TSESTree.CallExpression {
  if (node.type !== AST_NODE_TYPES.CallExpression || node.callee.type !== AST_NODE_TYPES.MemberExpression) return false;
  const { object, property, computed } = node.callee;
  const method = staticPropertyName(property, computed);
  return object.type === AST_NODE_TYPES.Identifier && method !== null && table.get(object.name)?.has(method) === true;
}

/**
 * Whether writing to `target` (or a property of it) writes to a built-in: its member chain
 * starts at a built-in global or a prototype getter, or passes through `__proto__` or
 * `constructor.prototype`.
 */
function reachesBuiltin(sourceCode: Readonly<TSESLint.SourceCode>, target: TSESTree.Node): boolean {
  let node = target;
  let previousName: string | null = null;
  for (;;) {
    if (node.type === AST_NODE_TYPES.MemberExpression) {
      const name = staticPropertyName(node.property, node.computed);
      if (name === "__proto__" || (name === "constructor" && previousName === "prototype")) return true;
      previousName = name;
      node = node.object;
    } else if (isTypeWrapper(node)) {
      node = node.expression;
    } else if (node.type === AST_NODE_TYPES.Identifier) {
      return isUnshadowedGlobal(sourceCode, node);
    } else {
      return isCallOf(node, PROTOTYPE_GETTERS);
    }
  }
}

export const noBuiltinMutation = createRule({
  name: "no-builtin-mutation",
  meta: {
    type: "problem",
    docs: { description: "Forbid mutation of built-in objects and their prototypes outside the TCB" },
    schema: [],
    messages: {
      mutation: "This changes a built-in object shared with OSTD: services may not mutate built-ins or their prototypes.",
    },
  },
  defaultOptions: [],
  create(context) {
    const sourceCode = context.sourceCode;
    const checkWrite = (report: TSESTree.Node, target: TSESTree.Node): void => {
      if (target.type === AST_NODE_TYPES.MemberExpression && reachesBuiltin(sourceCode, target.object)) {
        context.report({ node: report, messageId: "mutation" });
      }
    };
    return {
      AssignmentExpression(node) {
        checkWrite(node, node.left);
      },
      UpdateExpression(node) {
        checkWrite(node, node.argument);
      },
      UnaryExpression(node) {
        if (node.operator === "delete") checkWrite(node, node.argument);
      },
      CallExpression(node) {
        const [first] = node.arguments;
        if (isCallOf(node, REFLECTIVE_WRITERS) && first !== undefined && reachesBuiltin(sourceCode, first)) {
          context.report({ node, messageId: "mutation" });
        }
      },
    };
  },
});
