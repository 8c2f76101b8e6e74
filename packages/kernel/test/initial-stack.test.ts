import { describe, expect, it } from "vitest";
import { Errno, SyscallError } from "../src/errno.ts";
import { parseElf } from "../src/elf/elf-file.ts";
import { AuxType, buildInitialStack, type StackRequest } from "../src/elf/initial-stack.ts";
import { planLoad } from "../src/elf/load-plan.ts";
import { readU64 } from "../src/util/le-bytes.ts";
import { buildElf, typicalStatic } from "./support/elf-builder.ts";

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
const STACK_TOP = 0x7fff_ffff_f000;

function request(overrides: Partial<StackRequest> = {}): StackRequest {
  return {
    stackTop: STACK_TOP,
    argv: [encode("/bin/sh"), encode("-c"), encode("echo hi")],
    envp: [encode("PATH=/bin"), encode("HOME=/")],
    execfn: encode("/bin/sh"),
    random: Uint8Array.from({ length: 16 }, (_, index) => index + 1),
    plan: planLoad(parseElf(buildElf(typicalStatic()))),
    credentials: { uid: 0, euid: 0, gid: 0, egid: 0 },
    hwcap: 0x0789_8bff,
    sizeLimit: 2 * 1024 * 1024,
    ...overrides,
  };
}

/** Reads the image as the program would, through addresses. */
function reader(image: { start: number; bytes: Uint8Array }) {
  const word = (address: number): number => readU64(image.bytes, address - image.start);
  const string = (address: number): string => {
    const from = address - image.start;
    const end = image.bytes.indexOf(0, from);
    return new TextDecoder().decode(image.bytes.subarray(from, end));
  };
  return { word, string };
}

describe("buildInitialStack", () => {
  it("lays out argc, argv, envp and auxv with RSP 16-byte aligned", () => {
    const image = buildInitialStack(request());
    expect(image.stackPointer % 16).toBe(0);
    expect(image.start + image.bytes.length).toBe(STACK_TOP);
    const { word, string } = reader(image);
    const sp = image.stackPointer;
    expect(word(sp)).toBe(3);
    expect([string(word(sp + 8)), string(word(sp + 16)), string(word(sp + 24))]).toEqual(["/bin/sh", "-c", "echo hi"]);
    expect(word(sp + 32)).toBe(0);
    expect([string(word(sp + 40)), string(word(sp + 48))]).toEqual(["PATH=/bin", "HOME=/"]);
    expect(word(sp + 56)).toBe(0);
    expect(image.envpAddress).toBe(sp + 40);

    const auxv = new Map<number, number>();
    for (let at = sp + 64; ; at += 16) {
      const type = word(at);
      if (type === AuxType.Null) break;
      auxv.set(type, word(at + 8));
    }
    expect(auxv.get(AuxType.Phdr)).toBe(0x400040);
    expect(auxv.get(AuxType.Phent)).toBe(56);
    expect(auxv.get(AuxType.Phnum)).toBe(5);
    expect(auxv.get(AuxType.Pagesz)).toBe(4096);
    expect(auxv.get(AuxType.Entry)).toBe(0x401010);
    expect(auxv.get(AuxType.Clktck)).toBe(100);
    expect(auxv.get(AuxType.Hwcap)).toBe(0x0789_8bff);
    expect(auxv.get(AuxType.Secure)).toBe(0);
    for (const id of [AuxType.Uid, AuxType.Euid, AuxType.Gid, AuxType.Egid]) expect(auxv.get(id)).toBe(0);
    expect(string(auxv.get(AuxType.Platform) ?? 0)).toBe("x86_64");
    expect(string(auxv.get(AuxType.Execfn) ?? 0)).toBe("/bin/sh");
    const random = (auxv.get(AuxType.Random) ?? 0) - image.start;
    expect([...image.bytes.subarray(random, random + 16)]).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
  });

  it("keeps RSP aligned for every argument count", () => {
    for (let count = 0; count < 5; count++) {
      const argv = Array.from({ length: count }, (_, index) => encode("a".repeat(index)));
      expect(buildInitialStack(request({ argv })).stackPointer % 16).toBe(0);
    }
  });

  it("refuses oversized argument lists with E2BIG", () => {
    const argv = [encode("x".repeat(70_000))];
    expect(() => buildInitialStack(request({ argv, sizeLimit: 65536 }))).toThrow(SyscallError);
    try {
      buildInitialStack(request({ argv, sizeLimit: 65536 }));
    } catch (error) {
      expect(error instanceof SyscallError && error.errno).toBe(Errno.E2BIG);
    }
  });

  it("insists on 16 random bytes", () => {
    expect(() => buildInitialStack(request({ random: new Uint8Array(8) }))).toThrow(RangeError);
  });
});
