/**
 * Child-process entry of the differential test: reads `{ runs: [{ base, steps }] }` as JSON on
 * stdin, runs each sequence on the host with a fixed umask, as whatever uid the parent spawned
 * it as, or (multi-user steps, when spawned as root) as each step's identity through the
 * effective ids, and prints the outcomes as JSON.
 */
import { readFileSync } from "node:fs";
import { IDENTITIES, type Step, runHost } from "./host-ops.ts";

interface Run {
  readonly base: string;
  readonly steps: readonly Step[];
}

/** Switches the effective (file-system) identity; the real ids stay root so we can switch back. */
function become(who: number): void {
  const identity = IDENTITIES[who];
  if (identity === undefined) throw new Error(`host-runner: no identity ${String(who)}`);
  const { seteuid, setegid, setgroups } = process;
  if (seteuid === undefined || setegid === undefined || setgroups === undefined) throw new Error("host-runner: no POSIX ids");
  seteuid(0);
  setegid(identity.gid);
  setgroups([...identity.groups]);
  seteuid(identity.uid);
}

/** The parent wrote these operations itself, so only the shape is checked. */
function isRun(value: unknown): value is Run {
  return typeof value === "object" && value !== null && "base" in value && typeof value.base === "string" &&
    "steps" in value && Array.isArray(value.steps);
}

const input: unknown = JSON.parse(readFileSync(0, "utf8"));
const runs: unknown = typeof input === "object" && input !== null && "runs" in input ? input.runs : undefined;
if (!Array.isArray(runs) || !runs.every(isRun)) throw new Error("host-runner: expected { runs: [{ base, steps }] } on stdin");
process.umask(0o022);
const outcomes = runs.map((run) =>
  run.steps.map((step) => {
    if (step.who !== null) become(step.who);
    return runHost(run.base, step.operation);
  }),
);
process.stdout.write(JSON.stringify(outcomes));
