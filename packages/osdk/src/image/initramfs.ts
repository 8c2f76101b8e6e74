/**
 * The initramfs `osdk run` boots with: the kernel package's default one (for Asterism's
 * kernel, Debian's busybox-static with a link per applet, plus bash-static when installed),
 * extended with the host files named by `--add`. Real binaries come from the host's Debian
 * packages at run time; none is committed to the repository.
 */
import { existsSync, statSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { ImageError, type KernelPackage } from "./kernel-package.ts";

/** Debian's busybox-static and bash-static install here. */
export const HOST_BUSYBOX = "/bin/busybox";
export const HOST_BASH = "/bin/bash-static";

export interface AddedFile {
  readonly host: string;
  /** Absolute guest path; defaults to /bin/<host basename>. */
  readonly guest?: string;
}

interface InitramfsBuilderModule {
  buildDefaultInitramfs(options: { busybox: string; bash?: string; extra?: readonly AddedFile[] }): Uint8Array;
}

function isBuilderModule(value: unknown): value is InitramfsBuilderModule {
  return typeof value === "object" && value !== null && "buildDefaultInitramfs" in value && typeof value.buildDefaultInitramfs === "function";
}

/** Parses `HOST[:GUEST]`, checking that HOST is a readable file and GUEST an absolute path. */
export function parseAddedFile(spec: string): AddedFile {
  const colon = spec.indexOf(":");
  const host = colon < 0 ? spec : spec.slice(0, colon);
  const guest = colon < 0 ? undefined : spec.slice(colon + 1);
  if (host === "" || !existsSync(host) || !statSync(host).isFile()) throw new ImageError(`--add ${spec}: ${host || "(empty)"} is not a file`);
  if (guest !== undefined && !guest.startsWith("/")) throw new ImageError(`--add ${spec}: the guest path must be absolute`);
  return guest === undefined ? { host } : { host, guest };
}

/** Builds the kernel package's default initramfs with `added` files on top. */
export async function defaultInitramfs(pkg: KernelPackage, added: readonly AddedFile[]): Promise<Uint8Array> {
  if (pkg.initramfsModule === undefined) {
    throw new ImageError(`${pkg.name} declares no default initramfs (asterism.initramfs): pass --initramfs FILE`);
  }
  if (!existsSync(HOST_BUSYBOX)) {
    throw new ImageError(`the default initramfs needs Debian's static busybox at ${HOST_BUSYBOX} (apt-get install busybox-static), or pass --initramfs FILE`);
  }
  const builder: unknown = await import(pathToFileURL(pkg.initramfsModule).href);
  if (!isBuilderModule(builder)) throw new ImageError(`${pkg.initramfsModule} exports no buildDefaultInitramfs function`);
  return builder.buildDefaultInitramfs({
    busybox: HOST_BUSYBOX,
    ...(existsSync(HOST_BASH) ? { bash: HOST_BASH } : {}),
    extra: added,
  });
}
