/**
 * `package-boundary` (service rule set): a service sees other packages only through their
 * public entry, and never sees the hardware.
 *
 * The module graph is the architecture: a service that imported the board or `ostd-x86`
 * would hold the machine itself, and one that imported another package's internals
 * (`@asterism/ostd/src/frame.ts`, `../../ostd/src/frame.ts`) would bypass the API that keeps
 * it safe. dependency-cruiser checks the same graph for the whole tree; this rule reports it
 * in the editor, on the import line.
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve, sep } from "node:path";
import { createRule } from "../util/create-rule.ts";
import { moduleSpecifierListener } from "../util/module-specifiers.ts";

export interface PackageBoundaryOptions {
  /** Packages a service may not import at all (also not `import type`). */
  readonly forbidden: readonly string[];
  /** The workspace's npm scope: `<scope>/<name>/<anything>` is a deep import. */
  readonly scope: string;
}

const packageRoots = new Map<string, string | null>();

/** The nearest directory at or above `directory` holding a package.json, or null. */
function packageRootOf(directory: string): string | null {
  const cached = packageRoots.get(directory);
  if (cached !== undefined) return cached;
  const parent = dirname(directory);
  const root = existsSync(join(directory, "package.json")) ? directory : parent === directory ? null : packageRootOf(parent);
  packageRoots.set(directory, root);
  return root;
}

export const packageBoundary = createRule<[PackageBoundaryOptions], "forbidden" | "deep" | "leaves">({
  name: "package-boundary",
  meta: {
    type: "problem",
    docs: { description: "Forbid imports of the board, of ostd-x86 and of any package's internals from services" },
    schema: [
      {
        type: "object",
        properties: {
          forbidden: { type: "array", items: { type: "string" } },
          scope: { type: "string" },
        },
        required: ["forbidden", "scope"],
        additionalProperties: false,
      },
    ],
    messages: {
      forbidden: "Services may not import `{{name}}`: it is the hardware or the arch half of the TCB.",
      deep: "`{{name}}` reaches into a package's internals: import its public entry `{{entry}}`.",
      leaves: "`{{name}}` leaves this package: import the other package by its name.",
    },
  },
  defaultOptions: [{ forbidden: [], scope: "@asterism" }],
  create(context, [options]) {
    const filename = resolve(context.filename);
    const ownRoot = packageRootOf(dirname(filename));
    return moduleSpecifierListener((node, name) => {
      const forbidden = options.forbidden.find((entry) => name === entry || name.startsWith(`${entry}/`));
      if (forbidden !== undefined) {
        context.report({ node, messageId: "forbidden", data: { name } });
        return;
      }
      const [scope, packageName, ...rest] = name.split("/");
      if (scope === options.scope && packageName !== undefined && rest.length > 0 && rest.join("/") !== "package.json") {
        context.report({ node, messageId: "deep", data: { name, entry: `${scope}/${packageName}` } });
        return;
      }
      if ((name.startsWith("./") || name.startsWith("../")) && ownRoot !== null) {
        const target = resolve(dirname(filename), name);
        if (!target.startsWith(ownRoot + sep)) context.report({ node, messageId: "leaves", data: { name } });
      }
    });
  },
});
