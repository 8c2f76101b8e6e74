#!/usr/bin/env node
// The `osdk` binary. Inside the workspace it runs the TypeScript sources directly (Node 24
// strips types); an installed package has only dist/.
import { existsSync } from "node:fs";

const source = new URL("../src/cli.ts", import.meta.url);
const { main } = await import(existsSync(source) ? source.href : "../dist/cli.js");
process.exitCode = await main(process.argv.slice(2));
