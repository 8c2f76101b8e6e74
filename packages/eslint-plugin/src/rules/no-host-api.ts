/**
 * `no-host-api` (service rule set): services never reach the host JavaScript environment.
 *
 * The kernel image runs on Node today and in a browser later; a service that touched the
 * host (its processes, files, clocks, timers, module loader or code loader) would bypass
 * OSTD, be untestable under the board's deterministic clock and break the browser port.
 * Time and timers come from `@asterism/ostd`. Code loaders (`eval`, `Function`, including
 * `fn.constructor("...")`), dynamic `import()`, `import.meta` and `Math.random` are host
 * APIs too, and so is any use of the global object other than reading a named, allowed
 * global from it.
 */
import { builtinModules } from "node:module";
import type { TSESTree } from "@typescript-eslint/utils";
import { AST_NODE_TYPES, ESLintUtils } from "@typescript-eslint/utils";
import { createRule } from "../util/create-rule.ts";
import { globalReads, HOST_GLOBALS, isUnshadowedGlobal, staticPropertyName } from "../util/global-names.ts";
import { moduleSpecifierListener } from "../util/module-specifiers.ts";

const BUILTIN_MODULES: ReadonlySet<string> = new Set(builtinModules);

/** True for `node:fs`, `fs`, `fs/promises` and every other module the host provides. */
export function isHostModule(specifier: string): boolean {
  if (specifier.startsWith("node:")) return true;
  const [first] = specifier.split("/");
  return first !== undefined && !specifier.startsWith("@") && BUILTIN_MODULES.has(first);
}

export const noHostApi = createRule({
  name: "no-host-api",
  meta: {
    type: "problem",
    docs: { description: "Forbid host APIs (Node modules, process, eval, timers, clocks) outside the TCB" },
    schema: [],
    messages: {
      global: "`{{name}}` is a host API: services get time, timers and I/O from @asterism/ostd.",
      globalObject: "The global object may only be used to read a named, allowed global.",
      module: "`{{name}}` is a host module: services get machine services from @asterism/ostd.",
      dynamicImport: "Dynamic `import()` is the host's module loader: import statically.",
      importMeta: "`import.meta` describes the host's module loader: services do not use it.",
      functionConstructor: "`.constructor` of a function is the `Function` code loader.",
      hostEntropy: "`Math.random` is the host's entropy and makes runs irreproducible: take randomness from the kernel.",
    },
  },
  defaultOptions: [],
  create(context) {
    const services = ESLintUtils.getParserServices(context);
    return {
      ...moduleSpecifierListener((node, specifier) => {
        if (isHostModule(specifier)) context.report({ node, messageId: "module", data: { name: specifier } });
      }),
      "ImportExpression:exit"(node: TSESTree.ImportExpression) {
        context.report({ node, messageId: "dynamicImport" });
      },
      MetaProperty(node) {
        if (node.meta.name === "import") context.report({ node, messageId: "importMeta" });
      },
      MemberExpression(node) {
        const property = staticPropertyName(node.property, node.computed);
        if (property === "random" && node.object.type === AST_NODE_TYPES.Identifier && node.object.name === "Math") {
          if (isUnshadowedGlobal(context.sourceCode, node.object)) context.report({ node, messageId: "hostEntropy" });
          return;
        }
        if (property !== "constructor") return;
        const type = services.getTypeAtLocation(node.object);
        if (type.getCallSignatures().length > 0 || type.getConstructSignatures().length > 0) {
          context.report({ node, messageId: "functionConstructor" });
        }
      },
      "Program:exit"() {
        for (const read of globalReads(context.sourceCode)) {
          if (read.name === null) context.report({ node: read.node, messageId: "globalObject" });
          else if (HOST_GLOBALS.has(read.name)) context.report({ node: read.node, messageId: "global", data: { name: read.name } });
        }
      },
    };
  },
});
