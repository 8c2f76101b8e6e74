/**
 * `no-raw-memory` (service rule set): services never hold raw or shared memory.
 *
 * The board's physical memory is one big buffer; a service that could get at an
 * `ArrayBuffer`, a `DataView`, `SharedArrayBuffer`/`Atomics` or the `.buffer` behind a typed
 * array could read or write memory it was never given. Services get bytes as `Uint8Array`s
 * that OSTD copies or bounds-checks. Reaching the globals through the global object
 * (`globalThis["DataView"]`, `const { Atomics } = self`) is the same thing and is caught too.
 */
import { createRule } from "../util/create-rule.ts";
import { rawMemoryListener } from "../util/unsafe-sites.ts";

export const noRawMemory = createRule({
  name: "no-raw-memory",
  meta: {
    type: "problem",
    docs: { description: "Forbid raw and shared memory (ArrayBuffer, DataView, Atomics, `.buffer`) outside the TCB" },
    schema: [],
    messages: {
      raw: "`{{what}}` is raw memory: only OSTD may use it. Take bytes as a Uint8Array from an OSTD API.",
    },
  },
  defaultOptions: [],
  create(context) {
    return rawMemoryListener(context, (use) => {
      context.report({ node: use.node, messageId: "raw", data: { what: use.what } });
    });
  },
});
