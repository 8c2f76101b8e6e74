/**
 * Rule tests for `package-boundary`, linted as a file of a fixture `svc-net` package so that
 * relative imports can be judged against the package root.
 */
import { packageBoundary } from "../src/rules/package-boundary.ts";
import { fixtures, runRuleTests } from "./rule-tester.ts";

const filename = `${fixtures}/packages/svc-net/src/index.ts`;
const options = [{ forbidden: ["@asterism/board-x86", "@asterism/ostd-x86"], scope: "@asterism" }] as const;

runRuleTests("package-boundary", packageBoundary, {
  valid: [
    { filename, options, code: 'import { x } from "@asterism/ostd"; export { x };' },
    { filename, options, code: 'import { y } from "./socket.ts"; export { y };' },
    { filename, options, code: 'import { z } from "../src/socket.ts"; export { z };' },
    { filename, options, code: 'import pkg from "@asterism/ostd/package.json" with { type: "json" }; export { pkg };' },
    { filename, options, code: 'import { w } from "@other/lib/sub"; export { w };' },
  ],
  invalid: [
    {
      filename,
      options,
      code: 'import type { Machine } from "@asterism/board-x86"; export type { Machine };',
      errors: [{ messageId: "forbidden", data: { name: "@asterism/board-x86" } }],
    },
    {
      filename,
      options,
      code: 'export * from "@asterism/ostd-x86";',
      errors: [{ messageId: "forbidden", data: { name: "@asterism/ostd-x86" } }],
    },
    {
      filename,
      options,
      code: 'import { frames } from "@asterism/ostd/src/mm/frames.ts"; export { frames };',
      errors: [{ messageId: "deep", data: { name: "@asterism/ostd/src/mm/frames.ts", entry: "@asterism/ostd" } }],
    },
    {
      filename,
      options,
      code: 'import { frames } from "../../ostd/src/mm/frames.ts"; export { frames };',
      errors: [{ messageId: "leaves", data: { name: "../../ostd/src/mm/frames.ts" } }],
    },
    {
      filename,
      options,
      code: 'type Cpu = import("@asterism/board-x86").Cpu; export type { Cpu };',
      errors: [{ messageId: "forbidden" }],
    },
  ],
});
