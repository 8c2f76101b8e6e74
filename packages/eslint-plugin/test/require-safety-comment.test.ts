/**
 * Rule tests for `require-safety-comment` on a machine-like interface tagged as board-x86's
 * is: where the justification must sit, what counts as one, and every kind of unsafe site.
 */
import { requireSafetyComment } from "../src/rules/require-safety-comment.ts";
import { runRuleTests } from "./rule-tester.ts";

/** A machine-like interface with tagged members, as in board-x86's machine.ts. */
const machine = `
interface Memory {
  /** @unsafe aliases every page table and every process. */
  readonly bytes: Uint8Array;
  readonly size: number;
}
interface Cpu {
  /** @unsafe user pages must not alias kernel frames. */
  enterUser(context: object): number;
  /** @unsafe the page tables decide what user code reaches. */
  cr3: number;
  readTsc(): number;
}
declare const memory: Memory;
declare const cpu: Cpu;
`;

const machineLines = machine.split("\n").length;

runRuleTests("require-safety-comment", requireSafetyComment, {
  valid: [
    { code: `${machine} const size = memory.size; const now = cpu.readTsc();` },
    {
      code: `${machine}
// SAFETY: the first frame belongs to the boot allocator, which is not running yet.
memory.bytes[0] = 1;`,
    },
    {
      code: `${machine}
function run(): number {
  // SAFETY: the page tables at CR3 were built by VmSpace and map only untyped frames.
  return cpu.enterUser({});
}`,
    },
    {
      code: `${machine}
// SAFETY: the root table was allocated by this space and is
// never freed while it is installed.
cpu.cr3 = 0x1000;`,
    },
    {
      code: `${machine}
/** Reads RAM. */
// SAFETY: only read, and only inside frames the caller owns.
export const view = memory.bytes;`,
    },
    {
      code: `${machine}
declare const flushAll: boolean;
// SAFETY: OSTD owns these page tables; writing CR3 reloads them.
if (flushAll) cpu.cr3 = 1;
// SAFETY: as above, for the user's own tables only.
else cpu.cr3 = 2;`,
    },
    {
      code: `
class Registers {
  // SAFETY: a private 16-byte scratch area, never handed out.
  readonly #view = new DataView(new Uint8Array(16).buffer);
  read(): number { return this.#view.byteLength; }
}`,
    },
    { code: "type Raw = ArrayBuffer | SharedArrayBuffer; declare const raw: Raw;" },
    { code: "const bytes = new Uint8Array(8); const length = bytes.byteLength;" },
  ],
  invalid: [
    { code: `${machine} memory.bytes[0] = 1;`, errors: [{ messageId: "missing", data: { what: "bytes", obligation: "@unsafe: aliases every page table and every process." } }] },
    { code: `${machine} const exit = cpu.enterUser({});`, errors: [{ messageId: "missing", data: { what: "enterUser", obligation: "@unsafe: user pages must not alias kernel frames." } }] },
    { code: `${machine} cpu.cr3 = 0x2000;`, errors: [{ messageId: "missing", data: { what: "cr3", obligation: "@unsafe: the page tables decide what user code reaches." } }] },
    { code: `${machine} const { bytes } = memory;`, errors: [{ messageId: "missing", data: { what: "bytes", obligation: "@unsafe: aliases every page table and every process." } }] },
    {
      code: `${machine}
// SAFETY:
memory.bytes.fill(0);`,
      errors: [{ messageId: "empty" }],
    },
    {
      code: `${machine}
// SAFETY: the comment is not directly above the statement.

memory.bytes.fill(0);`,
      errors: [{ messageId: "missing" }],
    },
    {
      code: `${machine}
const size = 1; // SAFETY: a trailing comment justifies its own line only.
memory.bytes.fill(size);`,
      errors: [{ messageId: "missing" }],
    },
    {
      code: `
/** @unsafe the caller must own every frame in the range. */
function zeroFrames(first: number, count: number): void { void first; void count; }
zeroFrames(0, 1);`,
      errors: [{ messageId: "missing", data: { what: "zeroFrames", obligation: "@unsafe: the caller must own every frame in the range." } }],
    },
    {
      code: `
class Ram {
  /** @unsafe all of RAM, shared with every device. */
  readonly #bytes = new Uint8Array(4);
  first(): number { return this.#bytes[0] ?? 0; }
}`,
      errors: [{ messageId: "missing", data: { what: "#bytes", obligation: "@unsafe: all of RAM, shared with every device." } }],
    },
    { code: "const raw = new ArrayBuffer(8);", errors: [{ messageId: "missing", data: { what: "ArrayBuffer", obligation: "raw memory" } }] },
    { code: "const view = new DataView(new Uint8Array(4).buffer);", errors: [{ messageId: "missing" }] },
    { code: "const shared = globalThis.SharedArrayBuffer;", errors: [{ messageId: "missing", data: { what: "globalThis.SharedArrayBuffer", obligation: "raw memory" } }] },
    { code: "declare const words: Int32Array; Atomics.add(words, 0, 1);", errors: [{ messageId: "missing", data: { what: "Atomics", obligation: "raw memory" } }] },
    { code: "declare const bytes: Uint8Array; const backing = bytes.buffer;", errors: [{ messageId: "missing", data: { what: ".buffer", obligation: "raw memory" } }] },
    {
      code: `${machine}
function f(): void {
  const a = 1;
  // SAFETY: this comment covers the statement below it only.
  memory.bytes[a] = 1;
  memory.bytes[a] = 2;
}`,
      errors: [{ messageId: "missing", line: machineLines + 5 }],
    },
  ],
});
