/**
 * Rule tests for `no-unsafe-api`: uses of `@unsafe` symbols through members, calls,
 * destructuring, aliases and tagged constructors; type positions are not uses.
 */
import { noUnsafeApi } from "../src/rules/no-unsafe-api.ts";
import { runRuleTests } from "./rule-tester.ts";

const ports = `
interface Ports {
  /** @unsafe raw port access can reprogram any device. */
  write(port: number, value: number): void;
  read(port: number): number;
}
declare const ports: Ports;
/** @unsafe the caller must own the frame. */
declare function zeroFrame(pfn: number): void;
`;

runRuleTests("no-unsafe-api", noUnsafeApi, {
  valid: [
    { code: `${ports} const value = ports.read(0x60);` },
    { code: `${ports} type Write = Ports["write"];` },
    { code: "/** Safe. */ declare function tidy(): void; tidy();" },
    { code: "class Plain { constructor(readonly n: number) {} } const p = new Plain(1);" },
  ],
  invalid: [
    {
      code: `${ports} ports.write(0x60, 1);`,
      errors: [{ messageId: "unsafe", data: { name: "write", reason: "raw port access can reprogram any device." } }],
    },
    { code: `${ports} zeroFrame(3);`, errors: [{ messageId: "unsafe", data: { name: "zeroFrame", reason: "the caller must own the frame." } }] },
    { code: `${ports} const { write } = ports;`, errors: [{ messageId: "unsafe" }] },
    { code: `${ports} const w = ports["write"];`, errors: [{ messageId: "unsafe" }] },
    { code: `${ports} const z = zeroFrame; z(1);`, errors: [{ messageId: "unsafe" }] },
    {
      code: "class Window {\n  /** @unsafe the range must not overlap RAM or another device. */\n  constructor(readonly base: number) {}\n}\nconst w = new Window(0xfee00000);",
      errors: [{ messageId: "unsafe", data: { name: "new Window", reason: "the range must not overlap RAM or another device." } }],
    },
  ],
});
