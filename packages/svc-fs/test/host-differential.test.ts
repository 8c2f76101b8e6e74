/**
 * Differential test against the host's Linux: the same random sequence of file operations
 * runs on a host temporary directory (through Node's thin syscall wrappers) and on the VFS,
 * and every outcome (success or errno) and the final trees must agree.
 */
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  AT_REMOVEDIR,
  AT_SYMLINK_NOFOLLOW,
  FsError,
  O_APPEND,
  O_CREAT,
  O_DIRECTORY,
  O_EXCL,
  O_NOFOLLOW,
  O_RDONLY,
  O_TRUNC,
  O_WRONLY,
  bytesToPath,
  errnoName,
  type FsContext,
  type Vfs,
} from "../src/index.ts";
import { makeVfs } from "./helpers.ts";

type Operation =
  | { op: "mkdir"; path: string }
  | { op: "write"; path: string; flags: number; size: number }
  | { op: "open"; path: string; flags: number }
  | { op: "rename"; from: string; to: string }
  | { op: "unlink"; path: string }
  | { op: "rmdir"; path: string }
  | { op: "link"; from: string; to: string }
  | { op: "symlink"; target: string; path: string }
  | { op: "stat"; path: string; follow: boolean }
  | { op: "truncate"; path: string; size: number }
  | { op: "chmod"; path: string; mode: number }
  | { op: "readlink"; path: string }
  | { op: "list"; path: string };

function outcome(action: () => string): string {
  try {
    return action();
  } catch (error) {
    if (error instanceof FsError) return errnoName(error.errno);
    if (error instanceof Error && "code" in error && typeof error.code === "string") return error.code;
    throw error;
  }
}

function describeStat(mode: number, size: number, nlink: number): string {
  const type = (mode & 0o170000) >>> 12;
  const permissions = (mode & 0o7777).toString(8);
  return type === 4 ? `dir ${permissions}` : `type${String(type)} ${permissions} size${String(size)} nlink${String(nlink)}`;
}

function runHost(base: string, operation: Operation): string {
  // Plain concatenation: path.join would resolve ".." lexically, which the kernel must not do.
  const at = (path: string): string => `${base}/${path}`;
  return outcome(() => {
    switch (operation.op) {
      case "mkdir":
        fs.mkdirSync(at(operation.path), 0o755);
        return "ok";
      case "write": {
        const fd = fs.openSync(at(operation.path), operation.flags, 0o644);
        fs.writeSync(fd, new Uint8Array(operation.size).fill(0x61));
        fs.closeSync(fd);
        return "ok";
      }
      case "open":
        fs.closeSync(fs.openSync(at(operation.path), operation.flags));
        return "ok";
      case "rename":
        fs.renameSync(at(operation.from), at(operation.to));
        return "ok";
      case "unlink":
        fs.unlinkSync(at(operation.path));
        return "ok";
      case "rmdir":
        fs.rmdirSync(at(operation.path));
        return "ok";
      case "link":
        fs.linkSync(at(operation.from), at(operation.to));
        return "ok";
      case "symlink":
        fs.symlinkSync(operation.target, at(operation.path));
        return "ok";
      case "stat": {
        const stat = operation.follow ? fs.statSync(at(operation.path)) : fs.lstatSync(at(operation.path));
        return describeStat(stat.mode, stat.size, stat.nlink);
      }
      case "truncate":
        fs.truncateSync(at(operation.path), operation.size);
        return "ok";
      case "chmod":
        fs.chmodSync(at(operation.path), operation.mode);
        return "ok";
      case "readlink":
        return fs.readlinkSync(at(operation.path));
      case "list":
        return fs.readdirSync(at(operation.path)).sort().join(",");
    }
  });
}

async function runVfs(vfs: Vfs, ctx: FsContext, operation: Operation): Promise<string> {
  try {
    switch (operation.op) {
      case "mkdir":
        vfs.mkdir(ctx, null, operation.path, 0o755);
        return "ok";
      case "write": {
        const file = await vfs.open(ctx, null, operation.path, operation.flags, 0o644);
        await file.write(new Uint8Array(operation.size).fill(0x61));
        file.release();
        return "ok";
      }
      case "open":
        (await vfs.open(ctx, null, operation.path, operation.flags)).release();
        return "ok";
      case "rename":
        vfs.rename(ctx, null, operation.from, null, operation.to);
        return "ok";
      case "unlink":
        vfs.unlink(ctx, null, operation.path);
        return "ok";
      case "rmdir":
        vfs.unlink(ctx, null, operation.path, AT_REMOVEDIR);
        return "ok";
      case "link":
        vfs.link(ctx, null, operation.from, null, operation.to);
        return "ok";
      case "symlink":
        vfs.symlink(ctx, operation.target, null, operation.path);
        return "ok";
      case "stat": {
        const stat = vfs.stat(ctx, null, operation.path, operation.follow ? 0 : AT_SYMLINK_NOFOLLOW);
        return describeStat(stat.mode, stat.size, stat.nlink);
      }
      case "truncate":
        vfs.truncate(ctx, null, operation.path, operation.size);
        return "ok";
      case "chmod":
        vfs.chmod(ctx, null, operation.path, operation.mode);
        return "ok";
      case "readlink":
        return vfs.readlink(ctx, null, operation.path);
      case "list": {
        const dir = await vfs.open(ctx, null, operation.path, O_RDONLY | O_DIRECTORY);
        const names = [...direntNames(dir.getdents64(65536))].filter((name) => name !== "." && name !== "..");
        dir.release();
        return names.sort().join(",");
      }
    }
  } catch (error) {
    if (error instanceof FsError) return errnoName(error.errno);
    throw error;
  }
}

function makeGenerator(seed: number): () => Operation {
  let state = seed;
  const next = (limit: number): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) % limit;
  };
  const names = ["a", "b", "c"];
  const names3 = (): string[] => Array.from({ length: 1 + next(3) }, () => names[next(names.length)] ?? "a");
  // Symlink targets only point downwards (no "." or ".."), so every symlink resolves strictly
  // below its own directory and "name/.." can never climb out of the host's scratch directory.
  const target = (): string => names3().join("/");
  const path = (): string => {
    const parts = names3();
    if (parts.length > 1 && next(6) === 0) parts.splice(1 + next(parts.length - 1), 0, "..");
    if (next(8) === 0) parts.splice(next(parts.length + 1), 0, ".");
    return parts.join("/") + (next(10) === 0 ? "/" : "");
  };
  const openFlags = [O_RDONLY, O_RDONLY | O_DIRECTORY, O_RDONLY | O_NOFOLLOW, O_WRONLY, O_WRONLY | O_TRUNC];
  const writeFlags = [O_WRONLY | O_CREAT, O_WRONLY | O_CREAT | O_EXCL, O_WRONLY | O_CREAT | O_TRUNC, O_WRONLY | O_CREAT | O_APPEND];
  return () => {
    switch (next(13)) {
      case 0:
        return { op: "mkdir", path: path() };
      case 1:
        return { op: "write", path: path(), flags: writeFlags[next(writeFlags.length)] ?? O_WRONLY, size: next(50) };
      case 2:
        return { op: "open", path: path(), flags: openFlags[next(openFlags.length)] ?? O_RDONLY };
      case 3:
        return { op: "rename", from: path(), to: path() };
      case 4:
        return { op: "unlink", path: path() };
      case 5:
        return { op: "rmdir", path: path() };
      case 6:
        return { op: "link", from: path(), to: path() };
      case 7:
        return { op: "symlink", target: target(), path: path() };
      case 8:
        return { op: "truncate", path: path(), size: next(20) };
      case 9:
        return { op: "chmod", path: path(), mode: [0o755, 0o644, 0o4711, 0o1777, 0o600][next(5)] ?? 0o644 };
      case 10:
        return { op: "readlink", path: path() };
      case 11:
        return { op: "list", path: path() };
      default:
        return { op: "stat", path: path(), follow: next(2) === 0 };
    }
  };
}

function direntNames(bytes: Uint8Array): string[] {
  const names: string[] = [];
  for (let offset = 0; offset < bytes.length; ) {
    const reclen = (bytes[offset + 16] ?? 0) | ((bytes[offset + 17] ?? 0) << 8);
    names.push(bytesToPath(bytes.subarray(offset + 19, bytes.indexOf(0, offset + 19))));
    offset += reclen;
  }
  return names;
}

function hostTree(base: string, relative = ""): string[] {
  const lines: string[] = [];
  for (const name of fs.readdirSync(join(base, relative)).sort()) {
    const path = relative === "" ? name : `${relative}/${name}`;
    const stat = fs.lstatSync(join(base, path));
    if (stat.isSymbolicLink()) lines.push(`${path} -> ${fs.readlinkSync(join(base, path))}`);
    else lines.push(`${path} ${describeStat(stat.mode, stat.size, stat.nlink)}`);
    if (stat.isDirectory()) lines.push(...hostTree(base, path));
  }
  return lines;
}

async function vfsTree(vfs: Vfs, ctx: FsContext, relative = ""): Promise<string[]> {
  const lines: string[] = [];
  const dir = vfs.lookup(ctx, null, relative === "" ? "/" : relative, AT_SYMLINK_NOFOLLOW).inode;
  if (dir.kind !== "dir") return lines;
  const names = [...dir.entriesFrom(2)].map((entry) => entry.name).sort();
  for (const name of names) {
    const path = relative === "" ? name : `${relative}/${name}`;
    const stat = vfs.stat(ctx, null, path, AT_SYMLINK_NOFOLLOW);
    if ((stat.mode & 0o170000) === 0o120000) lines.push(`${path} -> ${vfs.readlink(ctx, null, path)}`);
    else lines.push(`${path} ${describeStat(stat.mode, stat.size, stat.nlink)}`);
    if ((stat.mode & 0o170000) === 0o040000) lines.push(...(await vfsTree(vfs, ctx, path)));
  }
  return lines;
}

describe.skipIf(process.platform !== "linux")("differential test against the host Linux kernel", () => {
  for (let seed = 1; seed <= 12; seed += 1) {
    it(`agrees on 800 random operations (seed ${String(seed)})`, async () => {
      const base = fs.mkdtempSync(join(tmpdir(), "svc-fs-diff-"));
      try {
        const { vfs, root } = makeVfs();
        const generate = makeGenerator(seed);
        const log: string[] = [];
        for (let step = 0; step < 800; step += 1) {
          const operation = generate();
          const host = runHost(base, operation);
          const ours = await runVfs(vfs, root, operation);
          log.push(`${JSON.stringify(operation)} host=${host} vfs=${ours}`);
          if (host !== ours) {
            expect([...log.slice(-15), ...hostTree(base)].join("\n")).toBe(`mismatch at step ${String(step)}`);
          }
        }
        expect(await vfsTree(vfs, root)).toEqual(hostTree(base));
      } finally {
        fs.rmSync(base, { recursive: true, force: true });
      }
    });
  }
});
