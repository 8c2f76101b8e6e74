/**
 * The `osdk` command line: one verb per file under commands/, loaded on demand so that
 * `osdk tcb` does not pay for the bundler and `osdk run` does not pay for the linter.
 */
export interface Command {
  /** One line for `osdk --help`. */
  readonly summary: string;
  /** Runs the command; resolves with the process exit code. */
  run(args: readonly string[]): Promise<number>;
}

const COMMANDS: Readonly<Record<string, () => Promise<{ command: Command }>>> = {
  new: () => import("./commands/new.ts"),
  build: () => import("./commands/build.ts"),
  run: () => import("./commands/run.ts"),
  test: () => import("./commands/test.ts"),
  tcb: () => import("./commands/tcb.ts"),
};

async function loadCommand(name: string): Promise<Command | undefined> {
  const load = COMMANDS[name];
  return load === undefined ? undefined : (await load()).command;
}

async function usage(): Promise<string> {
  const lines = ["usage: osdk <command> [options]", "", "commands:"];
  for (const name of Object.keys(COMMANDS)) {
    lines.push(`  ${name.padEnd(8)}${(await loadCommand(name))?.summary ?? ""}`);
  }
  return lines.join("\n");
}

export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === "--help" || name === "-h") {
    console.log(await usage());
    return name === undefined ? 2 : 0;
  }
  const command = await loadCommand(name);
  if (command === undefined) {
    console.error(`osdk: unknown command '${name}'\n\n${await usage()}`);
    return 2;
  }
  try {
    return await command.run(args);
  } catch (error) {
    if (isUsageError(error)) {
      console.error(`osdk ${name}: ${error.message}`);
      return 2;
    }
    throw error;
  }
}

/** Errors `util.parseArgs` throws for unknown or malformed options. */
function isUsageError(error: unknown): error is Error {
  return error instanceof Error && "code" in error && typeof error.code === "string" && error.code.startsWith("ERR_PARSE_ARGS_");
}
