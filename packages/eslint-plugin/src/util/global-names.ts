/**
 * Which host-provided globals each rule set cares about, and how code reaches them.
 *
 * A global can be named directly (`DataView`), or fetched from the global object
 * (`globalThis.DataView`, `self["DataView"]`, `const { DataView } = global`). Both the TCB
 * and the service rules need the same answer to "which global does this node read?", so the
 * walk over the scope manager lives here once.
 */
import type { TSESLint, TSESTree } from "@typescript-eslint/utils";
import { AST_NODE_TYPES } from "@typescript-eslint/utils";

/** Globals that hand out raw or shared memory: the machine's memory is one such buffer. */
export const RAW_MEMORY_GLOBALS: ReadonlySet<string> = new Set([
  "ArrayBuffer",
  "SharedArrayBuffer",
  "DataView",
  "Atomics",
]);

/**
 * Globals that reach the host: its processes and module loader, code loaders, clocks and
 * timers, entropy, terminal, network and inter-thread channels. The kernel gets all of these
 * from the board, through OSTD.
 */
export const HOST_GLOBALS: ReadonlySet<string> = new Set([
  "process",
  "require",
  "module",
  "exports",
  "__dirname",
  "__filename",
  "Buffer",
  "eval",
  "Function",
  "WebAssembly",
  "Date",
  "setTimeout",
  "setInterval",
  "setImmediate",
  "clearTimeout",
  "clearInterval",
  "clearImmediate",
  "performance",
  "fetch",
  "XMLHttpRequest",
  "WebSocket",
  "Worker",
  "MessageChannel",
  "BroadcastChannel",
  "crypto",
  "console",
  "navigator",
  "location",
  "document",
]);

/** Names under which JavaScript hosts expose the global object itself. */
export const GLOBAL_OBJECT_NAMES: ReadonlySet<string> = new Set(["globalThis", "global", "self", "window"]);

/** One read of a global: `node` is what to report, `name` the global read (null when unknowable). */
export interface GlobalRead {
  readonly node: TSESTree.Node;
  readonly name: string | null;
  /** True when the read went through the global object (`globalThis.X`, destructuring). */
  readonly viaGlobalObject: boolean;
}

/** The static name a property key or computed member denotes, or null when it is computed at run time. */
export function staticPropertyName(
  key: TSESTree.Expression | TSESTree.PrivateIdentifier,
  computed: boolean,
): string | null {
  if (!computed && key.type === AST_NODE_TYPES.Identifier) return key.name;
  if (key.type === AST_NODE_TYPES.PrivateIdentifier) return `#${key.name}`;
  if (key.type === AST_NODE_TYPES.Literal && typeof key.value === "string") return key.value;
  if (key.type === AST_NODE_TYPES.TemplateLiteral && key.expressions.length === 0) {
    return key.quasis[0]?.value.cooked ?? null;
  }
  return null;
}

/** A type-level wrapper (`x as T`, `<T>x`, `x!`, `x satisfies T`): the same value at run time. */
export type TypeWrapper =
  | TSESTree.TSAsExpression
  | TSESTree.TSNonNullExpression
  | TSESTree.TSSatisfiesExpression
  | TSESTree.TSTypeAssertion;

export function isTypeWrapper(node: TSESTree.Node): node is TypeWrapper {
  return (
    node.type === AST_NODE_TYPES.TSAsExpression ||
    node.type === AST_NODE_TYPES.TSNonNullExpression ||
    node.type === AST_NODE_TYPES.TSSatisfiesExpression ||
    node.type === AST_NODE_TYPES.TSTypeAssertion
  );
}

/** The outermost node around `node` that still denotes the same value (skips type wrappers). */
function outermostValueNode(node: TSESTree.Node): TSESTree.Node {
  let current = node;
  while (current.parent !== undefined && isTypeWrapper(current.parent) && current.parent.expression === current) {
    current = current.parent;
  }
  return current;
}

/**
 * Every value read of a global that is not shadowed by a local declaration. Lib globals are
 * declared variables without definitions in the TS scope manager, unknown ones are
 * unresolved references: both count. Type-only references (`type T = DataView`) do not.
 */
function unshadowedGlobalReferences(scopeManager: TSESLint.Scope.ScopeManager): TSESLint.Scope.Reference[] {
  const globalScope = scopeManager.globalScope;
  if (globalScope === null) return [];
  const references: TSESLint.Scope.Reference[] = [];
  for (const variable of globalScope.variables) {
    if (variable.defs.length === 0) references.push(...variable.references);
  }
  for (const reference of globalScope.through) {
    if (reference.resolved === null) references.push(reference);
  }
  return references.filter((reference) => reference.isValueReference && !isInTypeQuery(reference.identifier));
}

/** True inside `typeof x` in a type position: it names a value's type and reads nothing. */
export function isInTypeQuery(node: TSESTree.Node): boolean {
  let current = node.parent;
  while (current?.type === AST_NODE_TYPES.TSQualifiedName || current?.type === AST_NODE_TYPES.MemberExpression) {
    current = current.parent;
  }
  return current?.type === AST_NODE_TYPES.TSTypeQuery;
}

/** True when `identifier` names a global the program did not declare itself (`Array`, `Math`, `globalThis`). */
export function isUnshadowedGlobal(sourceCode: Readonly<TSESLint.SourceCode>, identifier: TSESTree.Identifier): boolean {
  for (let scope: TSESLint.Scope.Scope | null = sourceCode.getScope(identifier); scope !== null; scope = scope.upper) {
    const variable = scope.set.get(identifier.name);
    if (variable !== undefined) return variable.defs.length === 0;
  }
  return true;
}

/** What the code reads from one use of the global object. */
function readsFromGlobalObject(objectNode: TSESTree.Node): GlobalRead[] {
  const node = outermostValueNode(objectNode);
  const parent = node.parent;
  if (parent?.type === AST_NODE_TYPES.MemberExpression && parent.object === node) {
    const name = staticPropertyName(parent.property, parent.computed);
    if (name !== null && GLOBAL_OBJECT_NAMES.has(name)) return readsFromGlobalObject(parent);
    return [{ node: parent, name, viaGlobalObject: true }];
  }
  const pattern =
    parent?.type === AST_NODE_TYPES.VariableDeclarator && parent.init === node
      ? parent.id
      : parent?.type === AST_NODE_TYPES.AssignmentExpression && parent.right === node
        ? parent.left
        : null;
  if (pattern?.type === AST_NODE_TYPES.ObjectPattern) {
    return pattern.properties.map((property) =>
      property.type === AST_NODE_TYPES.Property
        ? { node: property, name: staticPropertyName(property.key, property.computed), viaGlobalObject: true }
        : { node: property, name: null, viaGlobalObject: true },
    );
  }
  return [{ node, name: null, viaGlobalObject: true }];
}

/** Every read of a global in the file, direct or through the global object. */
export function globalReads(sourceCode: Readonly<TSESLint.SourceCode>): GlobalRead[] {
  const scopeManager = sourceCode.scopeManager;
  if (scopeManager === null) return [];
  const reads: GlobalRead[] = [];
  for (const reference of unshadowedGlobalReferences(scopeManager)) {
    const name = reference.identifier.name;
    if (GLOBAL_OBJECT_NAMES.has(name)) reads.push(...readsFromGlobalObject(reference.identifier));
    else reads.push({ node: reference.identifier, name, viaGlobalObject: false });
  }
  return reads;
}
