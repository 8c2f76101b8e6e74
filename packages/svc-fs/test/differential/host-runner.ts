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

/** The parent wrote these operations itself, so only the shape is checked. */
function isRun(value: unknown): value is Run {
  return typeof value === "object" && value !== null && "base" in value && typeof value.base === "string" &&
    "operations" in value && Array.isArray(value.operations);
}

const input: unknown = JSON.parse(readFileSync(0, "utf8"));
const runs: unknown = typeof input === "object" && input !== null && "runs" in input ? input.runs : undefined;
if (!Array.isArray(runs) || !runs.every(isRun)) throw new Error("host-runner: expected { runs: [{ base, operations }] } on stdin");
process.umask(0o022);
process.stdout.write(JSON.stringify(runs.map((run) => run.operations.map((operation) => runHost(run.base, operation)))));
