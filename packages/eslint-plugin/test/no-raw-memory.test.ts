/**
 * Rule tests for `no-raw-memory`: raw-memory globals in every spelling, `.buffer` of typed
 * views (found by declaration), and look-alikes that must pass.
 */
import { noRawMemory } from "../src/rules/no-raw-memory.ts";
import { runRuleTests } from "./rule-tester.ts";

runRuleTests("no-raw-memory", noRawMemory, {
  valid: [
    { code: "const bytes = new Uint8Array(16); bytes[0] = bytes.byteLength;" },
    { code: "declare const bytes: Uint8Array; const copy = bytes.slice(0, 4);" },
    { code: "interface Packet { readonly buffer: Uint8Array } declare const p: Packet; const b = p.buffer;" },
    { code: "type Backing = ArrayBufferLike; declare function size(b: Backing): number;" },
    { code: "class DataView {} const mine = new DataView();" },
    { code: "const math = globalThis.Math.max(1, 2);" },
    { code: 'declare const bytes: Uint8Array; const n: unknown = Reflect.get(bytes, "length");' },
  ],
  invalid: [
    { code: "const raw = new ArrayBuffer(8);", errors: [{ messageId: "raw", data: { what: "ArrayBuffer" } }] },
    { code: "const view = new DataView(new Uint8Array(4).buffer);", errors: [{ messageId: "raw", data: { what: "DataView" } }, { messageId: "raw", data: { what: ".buffer" } }] },
    { code: "const s = globalThis.SharedArrayBuffer;", errors: [{ messageId: "raw", data: { what: "globalThis.SharedArrayBuffer" } }] },
    { code: 'const s = globalThis["SharedArrayBuffer"];', errors: [{ messageId: "raw" }] },
    { code: "const s = globalThis[`Atomics`];", errors: [{ messageId: "raw" }] },
    { code: "const s = globalThis.globalThis.DataView;", errors: [{ messageId: "raw" }] },
    { code: "const { SharedArrayBuffer: S, Atomics: A } = globalThis;", errors: [{ messageId: "raw" }, { messageId: "raw" }] },
    { code: "const a = (globalThis as typeof globalThis).Atomics;", errors: [{ messageId: "raw" }] },
    { code: "declare const words: Int32Array; Atomics.store(words, 0, 1);", errors: [{ messageId: "raw", data: { what: "Atomics" } }] },
    { code: "declare const words: Int32Array | Uint8Array; const b = words.buffer;", errors: [{ messageId: "raw", data: { what: ".buffer" } }] },
    { code: "declare const bytes: Uint8Array; const { buffer } = bytes;", errors: [{ messageId: "raw", data: { what: ".buffer" } }] },
    { code: 'declare const bytes: Uint8Array; const b = bytes["buffer"];', errors: [{ messageId: "raw" }] },
    { code: 'declare const bytes: Uint8Array; const b: unknown = Reflect.get(bytes, "buffer");', errors: [{ messageId: "raw", data: { what: ".buffer" } }] },
    { code: "class Frame extends Uint8Array {} const backing = new Frame(8).buffer;", errors: [{ messageId: "raw", data: { what: ".buffer" } }] },
    { code: "function backing(view: ArrayBufferView): ArrayBufferLike { return view.buffer; }", errors: [{ messageId: "raw", data: { what: ".buffer" } }] },
  ],
});
