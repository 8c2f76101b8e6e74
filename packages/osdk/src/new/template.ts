/**
 * The files of a new kernel project. The project is a kernel package like this repo's
 * `kernel`: it names its main module in package.json, depends on OSTD and services at run
 * time and on osdk as a tool, and never imports arch code (osdk build wires that in).
 */

export interface ProjectOptions {
  /** npm name of the project, e.g. "my-os". */
  readonly name: string;
  /** Version specifier of each `@asterism/*` dependency by package folder name. */
  readonly asterismVersion: (dir: string) => string;
}

/**
 * osdk and its tools need Node 24; the registry's `node` package brings it to every script
 * of the project, whatever Node the machine has (as in Asterism's own repo).
 */
const NODE_RUNTIME = "npm:node@24.21.0";

/** pnpm runs the `node` package's install step only when allowed. */
const PNPM_WORKSPACE = "allowBuilds:\n  node: true\n  esbuild: true\n";

function packageJson(options: ProjectOptions): string {
  const manifest = {
    name: options.name,
    version: "0.1.0",
    private: true,
    type: "module",
    asterism: { main: "./src/main.ts" },
    scripts: { build: "osdk build", start: "osdk run", test: "osdk test", tcb: "osdk tcb" },
    dependencies: {
      "@asterism/ostd": options.asterismVersion("ostd"),
      "@asterism/svc-sched": options.asterismVersion("svc-sched"),
    },
    devDependencies: { "@asterism/osdk": options.asterismVersion("osdk"), node: NODE_RUNTIME },
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

const MAIN = `/**
 * The kernel's main function: OSTD calls it once the machine is up. Everything here is safe
 * code against @asterism/ostd's public API; osdk build joins it to the x86-64 boot code.
 */
import { bootInfo, injectScheduler, powerOff, println, Task, yieldNow } from "@asterism/ostd";
import { RoundRobinScheduler } from "@asterism/svc-sched";

/** Two kernel tasks that take turns, to show the injected scheduler at work. */
export async function takeTurns(rounds: number): Promise<string[]> {
  const turns: string[] = [];
  const worker = (name: string) => async (): Promise<void> => {
    for (let round = 0; round < rounds; round++) {
      turns.push(\`\${name}\${round}\`);
      await yieldNow();
    }
  };
  const tasks = [Task.spawn(worker("a")), Task.spawn(worker("b"))];
  for (const task of tasks) await task.join();
  return turns;
}

export async function main(): Promise<void> {
  injectScheduler(new RoundRobinScheduler());
  println(\`Hello from __NAME__ on Asterism (command line: "\${bootInfo().commandLine}")\`);
  println(\`kernel tasks took turns: \${(await takeTurns(3)).join(" ")}\`);
  powerOff(0);
}
`;

const KTEST = `/** In-kernel tests: \`osdk test\` boots them on the board and reports each one. */
import { assertEqual, injectScheduler, ktest } from "@asterism/ostd";
import { RoundRobinScheduler } from "@asterism/svc-sched";
import { takeTurns } from "../src/main.ts";

ktest("two kernel tasks alternate under round-robin", async () => {
  injectScheduler(new RoundRobinScheduler());
  assertEqual((await takeTurns(2)).join(" "), "a0 b0 a1 b1", "turns");
});
`;

const README = `# __NAME__

A kernel of its own, built from Asterism's packages: OSTD (the trusted framework) and
svc-sched (the round-robin policy), booted on the emulated x86-64 board.

\`\`\`sh
pnpm install
pnpm build    # osdk build: bundle the image into dist/image/kernel.mjs
pnpm start    # osdk run: boot it
pnpm test     # osdk test: boot the in-kernel tests in ktest/ and report each
\`\`\`

\`src/main.ts\` is the kernel's main function (named in package.json's \`asterism.main\`).
`;

/** Relative path -> contents. */
export function projectFiles(options: ProjectOptions): ReadonlyMap<string, string> {
  const named = (text: string): string => text.replaceAll("__NAME__", options.name);
  return new Map([
    ["package.json", packageJson(options)],
    ["pnpm-workspace.yaml", PNPM_WORKSPACE],
    ["src/main.ts", named(MAIN)],
    ["ktest/main.ktest.ts", KTEST],
    ["README.md", named(README)],
    [".gitignore", "node_modules/\ndist/\n"],
  ]);
}
