import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Errno } from "../src/errno.ts";
import { ExecFormatError, parseElf } from "../src/elf/elf-file.ts";
import { DEFAULT_PIE_BASE, planLoad, Prot } from "../src/elf/load-plan.ts";
import { buildElf, PF_R, PF_W, PF_X, typicalStatic, type ElfSpec } from "./support/elf-builder.ts";

function rejection(bytes: Uint8Array): string {
  try {
    parseElf(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(ExecFormatError);
    if (error instanceof ExecFormatError) {
      expect(error.errno).toBe(Errno.ENOEXEC);
      return error.reason;
    }
  }
  throw new Error("expected ENOEXEC");
}

function variant(change: (spec: ElfSpec) => void): Uint8Array {
  const spec = typicalStatic();
  change(spec);
  return buildElf(spec);
}

describe("parseElf", () => {
  it("accepts a static executable and finds TLS, stack flags and the program headers", () => {
    const elf = parseElf(buildElf(typicalStatic()));
    expect(elf.positionIndependent).toBe(false);
    expect(elf.entry).toBe(0x401010);
    expect(elf.loads).toHaveLength(3);
    expect(elf.tls).toEqual({ vaddr: 0x402f00, fileSize: 0x10, memSize: 0x40, align: 8 });
    expect(elf.executableStack).toBe(false);
    expect(elf.programHeaderVaddr).toBe(0x400040);
    expect(elf.programHeaderCount).toBe(5);
  });

  it.each([
    ["not ELF", new TextEncoder().encode("#!/bin/sh\necho hi\n"), "bad magic"],
    ["empty", new Uint8Array(0), "bad magic"],
    ["truncated header", buildElf(typicalStatic()).subarray(0, 40), "truncated ELF header"],
    ["truncated program headers", buildElf(typicalStatic()).subarray(0, 100), "truncated program header table"],
    ["32-bit", (() => { const b = buildElf(typicalStatic()); b[4] = 1; return b; })(), "64-bit"],
    ["big-endian", (() => { const b = buildElf(typicalStatic()); b[5] = 2; return b; })(), "little-endian"],
    ["aarch64", variant((s) => { s.machine = 183; }), "wrong architecture"],
    ["relocatable object", variant((s) => { s.type = 1; }), "not an executable"],
    ["PT_INTERP", variant((s) => { s.segments.push({ type: 3, flags: PF_R, offset: 0x100, vaddr: 0x400100, fileSize: 0x10, memSize: 0x10 }); }), "PT_INTERP"],
    ["segment beyond file", variant((s) => { s.fileSize = 0x2f00 + 0x10; }), "beyond the end of the file"],
    ["filesz > memsz", variant((s) => { const seg = s.segments[2]; if (seg) seg.memSize = 0x100; }), "file size exceeds"],
    ["overlapping", variant((s) => { const seg = s.segments[1]; if (seg) seg.memSize = 0x3000; }), "overlapping"],
    ["absurd size", variant((s) => { const seg = s.segments[2]; if (seg) seg.memSize = 2 ** 60; }), "absurd"],
    ["beyond user space", variant((s) => { const seg = s.segments[2]; if (seg) { seg.vaddr = 0x7fff_ffff_ff00; seg.offset = 0x2f00; } }), "user space"],
    ["incongruent offset", variant((s) => { const seg = s.segments[2]; if (seg) seg.vaddr = 0x402f10; }), "congruent"],
    ["bad alignment", variant((s) => { const seg = s.segments[1]; if (seg) seg.align = 3000; }), "power of two"],
    ["entry outside text", variant((s) => { s.entry = 0x402f00; }), "entry point"],
    ["no PT_LOAD", variant((s) => { s.segments = s.segments.filter((seg) => seg.type !== undefined); }), "no loadable"],
  ])("rejects %s with ENOEXEC", (_name, bytes, reason) => {
    expect(rejection(bytes)).toContain(reason);
  });

  it("rejects absurd program header counts and offsets", () => {
    const bytes = buildElf(typicalStatic());
    const huge = bytes.slice();
    huge[32 + 6] = 0x7f; // phoff around 2^55
    expect(rejection(huge)).toContain("program header");
    const none = bytes.slice();
    none[56] = 0;
    expect(rejection(none)).toContain("program header count");
  });
});

describe("planLoad", () => {
  it("maps segments page-aligned with their protections, bss and brk", () => {
    const plan = planLoad(parseElf(buildElf(typicalStatic())));
    expect(plan.bias).toBe(0);
    expect(plan.entry).toBe(0x401010);
    expect(plan.mappings.map((m) => [m.start, m.end, m.prot])).toEqual([
      [0x400000, 0x401000, Prot.Read],
      [0x401000, 0x402000, Prot.Read | Prot.Exec],
      [0x402000, 0x405000, Prot.Read | Prot.Write],
    ]);
    const data = plan.mappings[2];
    expect(data).toMatchObject({ fileOffset: 0x2f00, copyTo: 0x402f00, copyLength: 0x150, zeroFrom: 0x403050 });
    expect(plan.brkStart).toBe(0x405000);
    expect(plan.programHeaderAddress).toBe(0x400040);
  });

  it("loads static-pie at an aligned bias", () => {
    const spec: ElfSpec = {
      type: 3,
      entry: 0x1100,
      segments: [
        { flags: PF_R, offset: 0, vaddr: 0, fileSize: 0x200, memSize: 0x200 },
        { flags: PF_R | PF_X, offset: 0x1000, vaddr: 0x1000, fileSize: 0x200, memSize: 0x200, align: 0x20_0000 },
        { type: 6, flags: PF_R, offset: 64, vaddr: 64, fileSize: 56 * 3, memSize: 56 * 3 },
      ],
    };
    const plan = planLoad(parseElf(buildElf(spec)), DEFAULT_PIE_BASE + 5);
    expect(plan.bias % 0x20_0000).toBe(0);
    expect(plan.bias).toBeGreaterThanOrEqual(DEFAULT_PIE_BASE);
    expect(plan.entry).toBe(plan.bias + 0x1100);
    expect(plan.programHeaderAddress).toBe(plan.bias + 64);
    expect(plan.mappings[0]?.start).toBe(plan.bias);
  });

  it("gives a page shared by two segments both protections", () => {
    const spec: ElfSpec = {
      entry: 0x400100,
      segments: [
        { flags: PF_R | PF_X, offset: 0, vaddr: 0x400000, fileSize: 0x800, memSize: 0x800 },
        { flags: PF_R | PF_W, offset: 0x800, vaddr: 0x400800, fileSize: 0x100, memSize: 0x1900 },
      ],
    };
    const plan = planLoad(parseElf(buildElf(spec)));
    expect(plan.mappings.map((m) => [m.start, m.end, m.prot])).toEqual([
      [0x400000, 0x401000, Prot.Read | Prot.Write | Prot.Exec],
      [0x401000, 0x403000, Prot.Read | Prot.Write],
    ]);
  });
});

describe("real binaries on this host", () => {
  it.skipIf(!existsSync("/bin/busybox"))("parses Debian's static busybox", () => {
    const elf = parseElf(new Uint8Array(readFileSync("/bin/busybox")));
    expect(elf.positionIndependent).toBe(false);
    expect(elf.loads.length).toBeGreaterThanOrEqual(2);
    expect(elf.tls).toBeDefined();
    const plan = planLoad(elf);
    expect(plan.mappings.some((m) => (m.prot & Prot.Exec) !== 0)).toBe(true);
    expect(plan.programHeaderAddress).toBe(0x400040);
  });

  it.skipIf(!existsSync("/bin/ls"))("refuses a dynamically linked binary", () => {
    expect(rejection(new Uint8Array(readFileSync("/bin/ls")))).toContain("PT_INTERP");
  });
});
