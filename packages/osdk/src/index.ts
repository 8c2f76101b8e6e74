/**
 * @asterism/osdk: the OS development kit. The package's programmatic face is the CLI's
 * `main`; the `osdk` binary calls it.
 */
export { main, type Command } from "./cli.ts";
