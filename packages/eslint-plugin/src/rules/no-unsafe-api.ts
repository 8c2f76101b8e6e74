/**
 * `no-unsafe-api` (service rule set): services never use a member tagged `@unsafe`.
 *
 * `@unsafe` marks what can break isolation if misused (all of RAM, CR3, `enterUser`, MMIO,
 * port I/O, the IOMMU). OSTD uses these under `// SAFETY:` arguments and wraps them in safe
 * abstractions; a service reaching one directly would put itself inside the TCB. The check
 * is type-aware, so it follows the symbol through imports, aliases and destructuring.
 */
import { createRule } from "../util/create-rule.ts";
import { unsafeUseListener } from "../util/unsafe-sites.ts";

export const noUnsafeApi = createRule({
  name: "no-unsafe-api",
  meta: {
    type: "problem",
    docs: { description: "Forbid uses of `@unsafe`-tagged symbols outside the TCB" },
    schema: [],
    messages: {
      unsafe: "`{{name}}` is @unsafe ({{reason}}): only OSTD may use it, through a safe abstraction.",
    },
  },
  defaultOptions: [],
  create(context) {
    return unsafeUseListener(context, (use) => {
      context.report({ node: use.node, messageId: "unsafe", data: { name: use.name, reason: use.reason } });
    });
  },
});
