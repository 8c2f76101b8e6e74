/**
 * Finding unsafe sites with the TypeScript type checker.
 *
 * An unsafe site is a use of a symbol whose declaration carries an `@unsafe` JSDoc tag
 * (`machine.memory.bytes`, `cpu.enterUser(ctx)`, `cpu.cr3 = x`, an imported `@unsafe`
 * function), a read of a raw-memory global (`DataView`, `globalThis.Atomics`, ...), or the
 * `.buffer` of a typed array or DataView (the whole backing store behind a bounded view).
 * The TCB rule demands a `// SAFETY:` justification on each; the service rules forbid them.
 */
import type { ParserServicesWithTypeInformation, TSESLint, TSESTree } from "@typescript-eslint/utils";
import { AST_NODE_TYPES, ESLintUtils } from "@typescript-eslint/utils";
import ts from "typescript";
import { globalReads, isInTypeQuery, RAW_MEMORY_GLOBALS, staticPropertyName } from "./global-names.ts";

/** A use of an `@unsafe` symbol. */
export interface UnsafeUse {
  readonly node: TSESTree.Node;
  /** The symbol's name as written at the use. */
  readonly name: string;
  /** The reason the declaration gives after `@unsafe`. */
  readonly reason: string;
}

/** A use of raw memory. */
export interface RawMemoryUse {
  readonly node: TSESTree.Node;
  /** What is used: `DataView`, `globalThis.Atomics`, `.buffer`. */
  readonly what: string;
}

/** `@unsafe` reasons by symbol: a symbol is looked up once per program, not once per use. */
const reasonCache = new WeakMap<ts.Symbol, string | null>();

/** The text of the `@unsafe` tag on a symbol (through import aliases), or null when it has none. */
function unsafeReason(checker: ts.TypeChecker, symbol: ts.Symbol | undefined): string | null {
  if (symbol === undefined) return null;
  const cached = reasonCache.get(symbol);
  if (cached !== undefined) return cached;
  const target = (symbol.flags & ts.SymbolFlags.Alias) !== 0 ? checker.getAliasedSymbol(symbol) : symbol;
  const reason = unsafeTagText(target.getJsDocTags(checker));
  reasonCache.set(symbol, reason);
  return reason;
}

/** The text after `@unsafe` among `tags`, on one line, or null when there is no such tag. */
function unsafeTagText(tags: readonly ts.JSDocTagInfo[]): string | null {
  const tag = tags.find((candidate) => candidate.name === "unsafe");
  return tag === undefined ? null : ts.displayPartsToString(tag.text).replace(/\s+/gu, " ").trim();
}

/** One statically named property of a destructuring pattern, with the symbol it reads. */
interface PatternProperty {
  readonly node: TSESTree.Property;
  readonly name: string;
  readonly symbol: ts.Symbol | undefined;
}

/** The properties destructured from a value, resolved on its type: `const { bytes } = memory`. */
function patternPropertySymbols(
  services: ParserServicesWithTypeInformation,
  pattern: TSESTree.ObjectPattern,
): PatternProperty[] {
  const type = services.getTypeAtLocation(pattern);
  const found: PatternProperty[] = [];
  for (const property of pattern.properties) {
    if (property.type !== AST_NODE_TYPES.Property) continue;
    const name = staticPropertyName(property.key, property.computed);
    if (name !== null) found.push({ node: property, name, symbol: type.getProperty(name) });
  }
  return found;
}

/** The `@unsafe` reason on the constructor a `new` expression resolves to, or null. */
function unsafeConstructorReason(checker: ts.TypeChecker, node: ts.Node): string | null {
  if (!ts.isNewExpression(node)) return null;
  return unsafeTagText(checker.getResolvedSignature(node)?.getJsDocTags() ?? []);
}

/**
 * Listeners that call `report` for every use of an `@unsafe`-tagged symbol in the file:
 * identifier references, member accesses, destructured properties and `new` of a class
 * whose constructor is tagged.
 */
export function unsafeUseListener(
  context: Readonly<TSESLint.RuleContext<string, readonly unknown[]>>,
  report: (use: UnsafeUse) => void,
): TSESLint.RuleListener {
  const services = ESLintUtils.getParserServices(context);
  const checker = services.program.getTypeChecker();
  const check = (node: TSESTree.Node, name: string, symbol: ts.Symbol | undefined): void => {
    const reason = unsafeReason(checker, symbol);
    if (reason !== null) report({ node, name, reason });
  };
  const symbolAt = (node: TSESTree.Node): ts.Symbol | undefined =>
    checker.getSymbolAtLocation(services.esTreeNodeToTSNodeMap.get(node));
  return {
    MemberExpression(node) {
      const name = staticPropertyName(node.property, node.computed);
      if (name !== null) check(node.property, name, symbolAt(node.property));
    },
    ObjectPattern(node) {
      for (const property of patternPropertySymbols(services, node)) {
        check(property.node, property.name, property.symbol);
      }
    },
    NewExpression(node) {
      const reason = unsafeConstructorReason(checker, services.esTreeNodeToTSNodeMap.get(node));
      if (reason !== null) report({ node, name: `new ${context.sourceCode.getText(node.callee)}`, reason });
    },
    "Program:exit"() {
      for (const scope of context.sourceCode.scopeManager?.scopes ?? []) {
        for (const reference of scope.references) {
          if (!reference.isValueReference || reference.init === true || isInTypeQuery(reference.identifier)) continue;
          check(reference.identifier, reference.identifier.name, symbolAt(reference.identifier));
        }
      }
    },
  };
}

/** Lib interfaces whose `buffer` property is the whole backing store behind a bounded view. */
const VIEW_INTERFACES: ReadonlySet<string> = new Set([
  "ArrayBufferView",
  "DataView",
  "Int8Array",
  "Uint8Array",
  "Uint8ClampedArray",
  "Int16Array",
  "Uint16Array",
  "Int32Array",
  "Uint32Array",
  "Float16Array",
  "Float32Array",
  "Float64Array",
  "BigInt64Array",
  "BigUint64Array",
]);

/**
 * True when `symbol` is the `buffer` property the language declares on typed arrays and
 * DataView. Going by the declaration (not the type's name) also catches subclasses
 * (`class Frame extends Uint8Array`, Node's `Buffer`) and unions of views.
 */
function isViewBufferProperty(program: ts.Program, symbol: ts.Symbol | undefined): boolean {
  return (symbol?.declarations ?? []).some((declaration) => {
    const owner = declaration.parent;
    return (
      ts.isInterfaceDeclaration(owner) &&
      VIEW_INTERFACES.has(owner.name.text) &&
      program.isSourceFileDefaultLibrary(declaration.getSourceFile())
    );
  });
}

/** The object of `Reflect.get(object, "buffer")` (`.buffer` spelled reflectively), or null. */
function reflectiveBufferTarget(call: TSESTree.CallExpression): TSESTree.Expression | null {
  const { callee } = call;
  const [target, key] = call.arguments;
  const isReflectGet =
    callee.type === AST_NODE_TYPES.MemberExpression &&
    callee.object.type === AST_NODE_TYPES.Identifier &&
    callee.object.name === "Reflect" &&
    staticPropertyName(callee.property, callee.computed) === "get";
  if (!isReflectGet || target === undefined || target.type === AST_NODE_TYPES.SpreadElement) return null;
  return key?.type === AST_NODE_TYPES.Literal && key.value === "buffer" ? target : null;
}

/**
 * Listeners that call `report` for every read of raw memory in the file: raw-memory globals
 * (directly or through the global object) and the `.buffer` of typed arrays and DataViews.
 */
export function rawMemoryListener(
  context: Readonly<TSESLint.RuleContext<string, readonly unknown[]>>,
  report: (use: RawMemoryUse) => void,
): TSESLint.RuleListener {
  const services = ESLintUtils.getParserServices(context);
  const program = services.program;
  const checker = program.getTypeChecker();
  return {
    MemberExpression(node) {
      if (staticPropertyName(node.property, node.computed) !== "buffer") return;
      const symbol = checker.getSymbolAtLocation(services.esTreeNodeToTSNodeMap.get(node.property));
      if (isViewBufferProperty(program, symbol)) report({ node, what: ".buffer" });
    },
    ObjectPattern(node) {
      for (const property of patternPropertySymbols(services, node)) {
        if (property.name === "buffer" && isViewBufferProperty(program, property.symbol)) {
          report({ node: property.node, what: ".buffer" });
        }
      }
    },
    CallExpression(node) {
      const target = reflectiveBufferTarget(node);
      if (target !== null && isViewBufferProperty(program, services.getTypeAtLocation(target).getProperty("buffer"))) {
        report({ node, what: ".buffer" });
      }
    },
    "Program:exit"() {
      for (const read of globalReads(context.sourceCode)) {
        if (read.name !== null && RAW_MEMORY_GLOBALS.has(read.name)) {
          report({ node: read.node, what: read.viaGlobalObject ? `globalThis.${read.name}` : read.name });
        }
      }
    },
  };
}
