/**
 * `osdk new DIR [--name NAME] [--link ASTERISM_CHECKOUT]`: starts a kernel project of one's
 * own (a third party's distro) from the published packages, or, with --link, from a local
 * checkout of this repository (for trying unreleased changes, and for testing osdk itself).
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { Command } from "../cli.ts";
import { projectFiles } from "../new/template.ts";

/** npm package names are lower case, URL-safe, at most 214 characters. */
const VALID_NAME = /^(?:@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/;

const { version: osdkVersion } = (await import("../../package.json", { with: { type: "json" } })).default;

export const command: Command = {
  summary: "create a kernel project from the published packages",
  run(args) {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: { name: { type: "string" }, link: { type: "string" } },
      allowPositionals: true,
      strict: true,
    });
    const [target, ...extra] = positionals;
    if (target === undefined || extra.length > 0) {
      console.error("usage: osdk new DIR [--name NAME] [--link ASTERISM_CHECKOUT]");
      return Promise.resolve(2);
    }
    const dir = resolve(target);
    const name = values.name ?? basename(dir);
    if (!VALID_NAME.test(name) || name.length > 214) {
      console.error(`osdk new: '${name}' is not a valid npm package name (use --name)`);
      return Promise.resolve(2);
    }
    if (existsSync(dir) && readdirSync(dir).length > 0) {
      console.error(`osdk new: ${dir} exists and is not empty`);
      return Promise.resolve(1);
    }
    const checkout = values.link === undefined ? undefined : resolve(values.link);
    if (checkout !== undefined && !existsSync(join(checkout, "packages/ostd/package.json"))) {
      console.error(`osdk new: ${checkout} is not an Asterism checkout (no packages/ostd)`);
      return Promise.resolve(1);
    }
    const asterismVersion = (pkg: string): string =>
      checkout === undefined ? `^${osdkVersion}` : `link:${join(checkout, "packages", pkg)}`;
    for (const [path, contents] of projectFiles({ name, asterismVersion })) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), contents);
    }
    console.log(`osdk new: created ${name} in ${dir}\nnext: cd ${target} && pnpm install && pnpm build && pnpm start`);
    return Promise.resolve(0);
  },
};
