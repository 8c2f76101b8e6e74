/**
 * Compatibility with a real archiver: the host's busybox (when present) packs a directory
 * tree in newc format and the unpacked result must match the tree.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AT_SYMLINK_NOFOLLOW, O_RDONLY, unpackInitramfs } from "../src/index.ts";
import { makeVfs, readAllText } from "./helpers.ts";

function hostBusybox(): string | undefined {
  for (const candidate of ["/usr/bin/busybox", "/bin/busybox"]) {
    try {
      execFileSync(candidate, ["cpio", "--help"], { stdio: "ignore" });
      return candidate;
    } catch {
      continue;
    }
  }
  return undefined;
}

const busybox = hostBusybox();

describe("archives made by the host's busybox cpio", () => {
  it.skipIf(busybox === undefined)("unpack to the same tree", async () => {
    const dir = mkdtempSync(join(tmpdir(), "svc-fs-cpio-"));
    try {
      mkdirSync(join(dir, "bin"));
      mkdirSync(join(dir, "etc"));
      writeFileSync(join(dir, "etc/motd"), "hello from the host\n");
      linkSync(join(dir, "etc/motd"), join(dir, "etc/motd.hard"));
      symlinkSync("../etc/motd", join(dir, "bin/link"));
      writeFileSync(join(dir, "bin/tool"), new Uint8Array(10_000).fill(0x41));
      chmodSync(join(dir, "bin/tool"), 0o751);
      const archive = execFileSync("/bin/sh", ["-c", `cd "${dir}" && find . | "${busybox ?? ""}" cpio -o -H newc 2>/dev/null`]);
      const { vfs, root } = makeVfs();
      await unpackInitramfs(vfs, new Uint8Array(archive));
      expect(await readAllText(await vfs.open(root, null, "/bin/link", O_RDONLY))).toBe("hello from the host\n");
      expect(vfs.readlink(root, null, "/bin/link")).toBe("../etc/motd");
      expect(vfs.stat(root, null, "/bin/link", AT_SYMLINK_NOFOLLOW).mode).toBe(0o120777);
      const motd = vfs.stat(root, null, "/etc/motd");
      expect(motd.nlink).toBe(2);
      expect(vfs.stat(root, null, "/etc/motd.hard").ino).toBe(motd.ino);
      expect(vfs.stat(root, null, "/bin/tool")).toMatchObject({ mode: 0o100751, size: 10_000 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
