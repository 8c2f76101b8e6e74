/** cpio newc parsing and initramfs unpacking, including every kind of corrupt archive. */
import { describe, expect, it } from "vitest";
import { AT_SYMLINK_NOFOLLOW, CpioError, O_RDONLY, parseCpio, unpackInitramfs } from "../src/index.ts";
import { buildCpio, cpioRecord, makeVfs, readAllText, text } from "./helpers.ts";

const sampleEntries = [
  { name: ".", mode: 0o040755, mtime: 11 },
  { name: "bin", mode: 0o040755, mtime: 22 },
  { name: "bin/busybox", mode: 0o104755, uid: 0, gid: 0, data: "\x7fELF...", mtime: 33 },
  { name: "bin/sh", mode: 0o120777, data: "busybox", mtime: 44 },
  { name: "etc", mode: 0o040700, uid: 5, gid: 6, mtime: 55 },
  { name: "etc/motd", mode: 0o100640, uid: 1000, gid: 100, data: "welcome\n", mtime: 66 },
  { name: "dev", mode: 0o040755 },
  { name: "dev/console", mode: 0o020600, rdevMajor: 5, rdevMinor: 1 },
  { name: "dev/fifo", mode: 0o010644 },
  { name: "./usr/", mode: 0o040755 },
  { name: "usr/a", mode: 0o100644, ino: 7, nlink: 3, data: "" },
  { name: "usr/b", mode: 0o100644, ino: 7, nlink: 3, data: "" },
  { name: "usr/c", mode: 0o100644, ino: 7, nlink: 3, data: "linked data" },
];

describe("initramfs (cpio newc) unpacking", () => {
  for (const magic of ["070701", "070702"]) {
    it(`unpacks files, dirs, symlinks, devices, FIFOs and hard links (${magic})`, async () => {
      const { vfs, root } = makeVfs();
      const summary = await unpackInitramfs(vfs, buildCpio(sampleEntries, magic));
      expect(summary).toEqual({ entries: sampleEntries.length, bytes: 7 + 7 + 8 + 11 });
      expect(vfs.stat(root, null, "/bin/busybox")).toMatchObject({ mode: 0o104755, size: 7, mtime: { sec: 33, nsec: 0 } });
      expect(vfs.readlink(root, null, "/bin/sh")).toBe("busybox");
      expect(vfs.stat(root, null, "/bin/sh", AT_SYMLINK_NOFOLLOW).mtime.sec).toBe(44);
      expect(vfs.stat(root, null, "/bin/sh").ino).toBe(vfs.stat(root, null, "/bin/busybox").ino);
      expect(vfs.stat(root, null, "/etc")).toMatchObject({ mode: 0o040700, uid: 5, gid: 6, mtime: { sec: 55, nsec: 0 } });
      expect(vfs.stat(root, null, "/etc/motd")).toMatchObject({ mode: 0o100640, uid: 1000, gid: 100 });
      expect(await readAllText(await vfs.open(root, null, "/etc/motd", O_RDONLY))).toBe("welcome\n");
      expect(vfs.stat(root, null, "/dev/console")).toMatchObject({ mode: 0o020600, rdev: 0x501 });
      expect(vfs.stat(root, null, "/dev/fifo").mode).toBe(0o010644);
      const a = vfs.stat(root, null, "/usr/a");
      expect(a.nlink).toBe(3);
      expect(vfs.stat(root, null, "/usr/b").ino).toBe(a.ino);
      expect(vfs.stat(root, null, "/usr/c").ino).toBe(a.ino);
      expect(await readAllText(await vfs.open(root, null, "/usr/b", O_RDONLY))).toBe("linked data");
      expect(vfs.stat(root, null, "/").mtime.sec).toBe(11);
      expect(vfs.stat(root, null, "/bin").mtime.sec).toBe(22);
    });
  }

  it("accepts concatenated archives and lets later entries replace earlier files", async () => {
    const { vfs, root } = makeVfs();
    const first = buildCpio([{ name: "f", mode: 0o100644, data: "old" }]);
    const second = buildCpio([{ name: "f", mode: 0o100600, data: "new!" }]);
    const joined = Uint8Array.from([...first, 0, 0, 0, 0, 0, 0, 0, 0, ...second]);
    await unpackInitramfs(vfs, joined);
    expect(vfs.stat(root, null, "/f")).toMatchObject({ mode: 0o100600, size: 4 });
  });

  it("unpacks below a chosen directory", async () => {
    const { vfs, root } = makeVfs();
    vfs.mkdir(root, null, "/target", 0o755);
    await unpackInitramfs(vfs, buildCpio([{ name: "/x", mode: 0o100644 }]), vfs.lookup(root, null, "/target"));
    expect(vfs.stat(root, null, "/target/x").size).toBe(0);
    expect(() => vfs.stat(root, null, "/x")).toThrow();
  });
});

describe("corrupt archives give a CpioError, never a crash", () => {
  const good = buildCpio([{ name: "file", mode: 0o100644, data: "payload" }]);
  const cases: [string, Uint8Array, RegExp][] = [
    ["bad magic", Uint8Array.from([...text("070707"), ...good.subarray(6)]), /bad magic/],
    ["truncated header", good.subarray(0, 50), /truncated header/],
    ["truncated name", good.subarray(0, 112), /truncated name/],
    ["truncated data", good.subarray(0, 120), /truncated data/],
    ["missing trailer", good.subarray(0, 124), /without TRAILER/],
    ["empty archive", new Uint8Array(0), /without TRAILER/],
    ["bad hex", Uint8Array.from([...good.subarray(0, 10), 0x7a, ...good.subarray(11)]), /bad hex digit in field ino/],
    ["short garbage after trailer", Uint8Array.from([...good, 1, 2, 3, 4]), /truncated header/],
    ["long garbage after trailer", Uint8Array.from([...good, ...new Uint8Array(120).fill(0x78)]), /bad magic/],
  ];
  for (const [label, archive, message] of cases) {
    it(label, async () => {
      const { vfs } = makeVfs();
      expect(() => parseCpio(archive)).toThrow(message);
      await expect(unpackInitramfs(vfs, archive)).rejects.toBeInstanceOf(CpioError);
    });
  }

  it("a name without its NUL terminator", () => {
    const record = cpioRecord({ name: "abc", mode: 0o100644 });
    record[110 + 3] = 0x41;
    expect(() => parseCpio(Uint8Array.from(record))).toThrow(/not NUL-terminated/);
  });

  it("a zero-length name", () => {
    const record = cpioRecord({ name: "", mode: 0o100644 });
    record.splice(94, 8, ...text("00000000"));
    expect(() => parseCpio(Uint8Array.from(record))).toThrow(/empty name/);
  });

  it("a checksum that does not match (070702)", () => {
    const record = cpioRecord({ name: "f", mode: 0o100644, data: "abc" }, "070702", 1);
    const trailer = cpioRecord({ name: "TRAILER!!!", mode: 0 }, "070702");
    expect(() => parseCpio(Uint8Array.from([...record, ...trailer]))).toThrow(/checksum mismatch/);
  });

  it("path traversal", async () => {
    const { vfs, root } = makeVfs();
    await expect(unpackInitramfs(vfs, buildCpio([{ name: "../escape", mode: 0o100644 }]))).rejects.toThrow(/path traversal/);
    await expect(unpackInitramfs(vfs, buildCpio([{ name: "a/../../b", mode: 0o100644 }]))).rejects.toThrow(/path traversal/);
    expect(() => vfs.stat(root, null, "/escape")).toThrow();
  });

  it("entries whose parent is missing, or of unknown type, name the entry", async () => {
    const { vfs } = makeVfs();
    await expect(unpackInitramfs(vfs, buildCpio([{ name: "no/parent", mode: 0o100644 }]))).rejects.toThrow(
      /cannot unpack "no\/parent": ENOENT/,
    );
    await expect(unpackInitramfs(vfs, buildCpio([{ name: "weird", mode: 0o170644 }]))).rejects.toThrow(/unknown file type/);
    await expect(unpackInitramfs(vfs, buildCpio([{ name: ".", mode: 0o100644 }]))).rejects.toThrow(/root can only be a directory/);
  });

  it("survives random corruption of a valid archive", async () => {
    const archive = buildCpio(sampleEntries);
    let seed = 12345;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed;
    };
    for (let round = 0; round < 300; round += 1) {
      const mutated = archive.slice(0, round % 3 === 0 ? random() % archive.length : archive.length);
      for (let flips = 0; flips < 3; flips += 1) mutated[random() % Math.max(1, mutated.length)] = random() & 0xff;
      const { vfs } = makeVfs();
      try {
        await unpackInitramfs(vfs, mutated);
      } catch (error) {
        expect(error).toBeInstanceOf(CpioError);
      }
    }
  });
});
