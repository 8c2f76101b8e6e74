/**
 * `osdk tcb [--json] [--out DIR]`: measures the trusted computing base of the workspace the
 * command runs in, prints it, draws the package graph with the TCB boundary, and fails when
 * the measured set differs from the one the root policy declares.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import type { Command } from "../cli.ts";
import { measureTcb } from "../tcb/measure.ts";
import { renderTcbPicture } from "../tcb/picture.ts";
import { formatTcbReport } from "../tcb/report.ts";
import { findWorkspaceRoot, readWorkspace, WorkspaceError } from "../tcb/workspace.ts";

export const command: Command = {
  summary: "measure the trusted computing base and check it against the declared set",
  async run(args) {
    const { values } = parseArgs({
      args: [...args],
      options: { json: { type: "boolean", default: false }, out: { type: "string", default: "out/tcb" } },
      strict: true,
    });
    let workspace;
    try {
      workspace = readWorkspace(findWorkspaceRoot(process.cwd()));
    } catch (error) {
      if (!(error instanceof WorkspaceError)) throw error;
      console.error(`osdk tcb: ${error.message}`);
      return 1;
    }
    const measure = await measureTcb(workspace);
    const outDir = join(workspace.root, values.out);
    mkdirSync(outDir, { recursive: true });
    const picture = join(outDir, "tcb.svg");
    writeFileSync(picture, renderTcbPicture(measure, workspace.board));
    writeFileSync(join(outDir, "tcb.json"), `${JSON.stringify(measure, null, 2)}\n`);
    console.log(values.json ? JSON.stringify(measure, null, 2) : formatTcbReport(measure, relative(process.cwd(), picture)));
    return measure.matchesDeclaration ? 0 : 1;
  },
};
