/**
 * The default initramfs: Debian's static busybox with a symlink per applet, optionally
 * bash-static and extra host files, and the few files a shell expects in /etc. Host tool
 * (it runs the busybox binary natively to list its applets); `osdk build` or a script
 * writes the archive the board loads. CLI:
 *
 *     node initramfs/default-initramfs.ts --busybox /bin/busybox [--bash PATH]
 *         [--add HOST[:GUEST]]... --out initramfs.cpio
 *
 * Without --bash, /bin/bash-static (Debian's bash-static) is included as /bin/bash if present.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { basename } from "node:path";
import { parseArgs } from "node:util";
import { buildCpio, type CpioFile } from "./cpio-writer.ts";

export interface DefaultInitramfsOptions {
  /** Host path of a static x86-64 busybox. */
  readonly busybox: string;
  /** Host path of a static bash, installed as /bin/bash. */
  readonly bash?: string;
  /** Extra host files: `guest` defaults to /bin/<name>. */
  readonly extra?: readonly { readonly host: string; readonly guest?: string }[];
}

/** Where Debian's bash-static package installs bash; the CLI includes it when present. */
const DEBIAN_BASH_STATIC = "/bin/bash-static";
const DIRECTORIES = ["bin", "sbin", "usr", "usr/bin", "usr/sbin", "etc", "dev", "proc", "tmp", "root", "home"];
/** Applets that would take over boot (the kernel then starts /bin/sh as init). */
const SKIPPED_APPLETS = new Set(["init", "linuxrc"]);
const encoder = new TextEncoder();

const ETC_FILES: Record<string, string> = {
  "etc/passwd": "root:x:0:0:root:/root:/bin/sh\n",
  "etc/group": "root:x:0:\n",
  "etc/hostname": "asterism\n",
  "etc/profile": "export PS1='asterism:\\w\\$ '\nexport PATH=/bin:/sbin:/usr/bin:/usr/sbin\n",
};

/** The applet paths busybox reports (`busybox --list-full`), e.g. "usr/bin/awk". */
export function listApplets(busybox: string): string[] {
  const listing = execFileSync(busybox, ["--list-full"], { encoding: "utf8" });
  return listing.split("\n").map((line) => line.trim()).filter((line) => line.length > 0 && !line.startsWith("/"));
}

export function buildDefaultInitramfs(options: DefaultInitramfsOptions): Uint8Array {
  const files: CpioFile[] = DIRECTORIES.map((path) => ({ path, mode: path === "tmp" ? 0o41777 : 0o40755 }));
  files.push({ path: "bin/busybox", mode: 0o100755, data: new Uint8Array(readFileSync(options.busybox)) });
  const taken = new Set(files.map((file) => file.path));
  for (const applet of listApplets(options.busybox)) {
    if (SKIPPED_APPLETS.has(basename(applet)) || taken.has(applet)) continue;
    taken.add(applet);
    files.push({ path: applet, mode: 0o120777, data: encoder.encode("/bin/busybox") });
  }
  if (options.bash !== undefined) files.push({ path: "bin/bash", mode: 0o100755, data: new Uint8Array(readFileSync(options.bash)) });
  for (const { host, guest } of options.extra ?? []) {
    const path = (guest ?? `/bin/${basename(host)}`).replace(/^\/+/, "");
    files.push({ path, mode: 0o100755, data: new Uint8Array(readFileSync(host)) });
  }
  for (const [path, text] of Object.entries(ETC_FILES)) files.push({ path, mode: 0o100644, data: encoder.encode(text) });
  return buildCpio(files);
}

if (import.meta.filename === process.argv[1]) {
  const { values } = parseArgs({
    options: { busybox: { type: "string", default: "/bin/busybox" }, bash: { type: "string" }, add: { type: "string", multiple: true }, out: { type: "string" } },
  });
  if (values.out === undefined) throw new Error("--out FILE is required");
  const extra = (values.add ?? []).map((spec) => {
    const [host = "", guest] = spec.split(":");
    return guest === undefined ? { host } : { host, guest };
  });
  const bash = values.bash ?? (existsSync(DEBIAN_BASH_STATIC) ? DEBIAN_BASH_STATIC : undefined);
  const archive = buildDefaultInitramfs({ busybox: values.busybox, ...(bash === undefined ? {} : { bash }), extra });
  writeFileSync(values.out, archive);
  console.log(`${values.out}: ${String(archive.length)} bytes`);
}
