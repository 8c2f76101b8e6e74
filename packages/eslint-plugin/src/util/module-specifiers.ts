/**
 * Every place a TypeScript module names another module, as one listener.
 *
 * Imports hide in more forms than `import ... from`: re-exports, `import("x")`, type-level
 * `import("x").T`, and `import x = require("x")`. Boundary rules must see all of them.
 */
import type { TSESLint, TSESTree } from "@typescript-eslint/utils";
import { AST_NODE_TYPES } from "@typescript-eslint/utils";

/** Calls `onSpecifier` with the node to report and the module name for every static module reference. */
export function moduleSpecifierListener(
  onSpecifier: (node: TSESTree.Node, specifier: string) => void,
): TSESLint.RuleListener {
  const literal = (node: TSESTree.Node | null | undefined): void => {
    if (node?.type === AST_NODE_TYPES.Literal && typeof node.value === "string") onSpecifier(node, node.value);
  };
  return {
    ImportDeclaration(node) {
      literal(node.source);
    },
    ExportAllDeclaration(node) {
      literal(node.source);
    },
    ExportNamedDeclaration(node) {
      literal(node.source);
    },
    ImportExpression(node) {
      literal(node.source);
    },
    TSImportType(node) {
      if (node.argument.type === AST_NODE_TYPES.TSLiteralType) literal(node.argument.literal);
    },
    TSExternalModuleReference(node) {
      literal(node.expression);
    },
  };
}
