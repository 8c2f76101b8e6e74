import { describe, expect, it } from "vitest";
import { O_RDWR, Vfs, type FileHandle } from "@asterism/svc-fs";
import { Errno, SyscallError } from "../src/errno.ts";
import { FdTable, MAX_FDS } from "../src/process/fd-table.ts";

function files() {
  const vfs = new Vfs({ clock: () => ({ sec: 0, nsec: 0 }) });
  const context = vfs.createContext();
  let released = 0;
  const handle: FileHandle = {
    seekable: false,
    read: () => new Uint8Array(0),
    write: (_offset, data) => data.length,
    release: () => { released++; },
  };
  return { open: () => vfs.openAnonymous(context, handle, O_RDWR), released: () => released };
}

function errnoOf(call: () => unknown): number | undefined {
  try {
    call();
  } catch (error) {
    if (error instanceof SyscallError) return error.errno;
    throw error;
  }
  return undefined;
}

describe("FdTable", () => {
  it("hands out the lowest free descriptor and refuses bad ones with EBADF", () => {
    const { open } = files();
    const table = new FdTable();
    expect(table.install(open(), false)).toBe(0);
    expect(table.install(open(), false)).toBe(1);
    table.close(0);
    expect(table.install(open(), false)).toBe(0);
    expect(table.install(open(), false, 10)).toBe(10);
    for (const fd of [-1, 3, 1.5, MAX_FDS]) expect(errnoOf(() => table.get(fd))).toBe(Errno.EBADF);
    expect(errnoOf(() => { table.close(7); })).toBe(Errno.EBADF);
  });

  it("dup2 shares the description, replaces the target, and the last close releases it", () => {
    const { open, released } = files();
    const table = new FdTable();
    const first = open();
    table.install(first, false);
    table.install(open(), false);
    expect(table.duplicateTo(0, 1, false)).toBe(1);
    expect(released()).toBe(1);
    expect(table.get(1)).toBe(first);
    table.close(0);
    expect(released()).toBe(1);
    table.close(1);
    expect(released()).toBe(2);
    expect(errnoOf(() => table.duplicateTo(5, 1, false))).toBe(Errno.EBADF);
    table.install(open(), false);
    expect(errnoOf(() => table.duplicateTo(0, MAX_FDS, false))).toBe(Errno.EBADF);
  });

  it("fork shares descriptions, exec closes close-on-exec ones", () => {
    const { open, released } = files();
    const table = new FdTable();
    table.install(open(), true);
    table.install(open(), false);
    const child = table.clone();
    child.closeOnExec();
    expect(child.has(0)).toBe(false);
    expect(child.has(1)).toBe(true);
    expect(released()).toBe(0);
    expect(table.getCloseOnExec(0)).toBe(true);
    table.setCloseOnExec(0, false);
    expect(table.getCloseOnExec(0)).toBe(false);
    table.closeAll();
    expect(released()).toBe(1);
    child.closeAll();
    expect(released()).toBe(2);
    expect(child.openDescriptors()).toEqual([]);
  });

  it("runs out with EMFILE and releases the file it could not install", () => {
    const { open, released } = files();
    const table = new FdTable();
    for (let fd = 0; fd < MAX_FDS; fd++) table.install(open(), false);
    expect(errnoOf(() => table.install(open(), false))).toBe(Errno.EMFILE);
    expect(released()).toBe(1);
  });
});
