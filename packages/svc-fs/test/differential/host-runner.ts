/**
 * Child-process entry of the differential test: reads `{ runs: [{ base, operations }] }` as
 * JSON on stdin, runs each sequence on the host with a fixed umask (and with whatever uid the
 * parent spawned it as), and prints the outcomes as JSON.
 */
import { readFileSync } from "node:fs";
import { type Operation, runHost } from "./host-ops.ts";

interface Run {
  readonly base: string;
  readonly operations: readonly Operation[];
}

const input: unknown = JSON.parse(readFileSync(0, "utf8"));
if (typeof input !== "object" || input === null || !("runs" in input) || !Array.isArray(input.runs)) {
  throw new Error("host-runner: expected { runs: [...] } on stdin");
}
process.umask(0o022);
const runs: Run[] = input.runs;
process.stdout.write(JSON.stringify(runs.map((run) => run.operations.map((operation) => runHost(run.base, operation)))));
