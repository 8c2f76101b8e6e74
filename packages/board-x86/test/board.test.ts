import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BoardError } from "../src/board-error.ts";
import {
  BOOT_INFO_MAGIC,
  BoardLayout,
  BootInfoLayout,
  MemoryKind,
  MemoryMapEntryLayout,
  UserExit,
  type Machine,
} from "../src/machine.ts";
import { testBoard } from "./support/test-board.ts";

const directories: string[] = [];
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function temporaryDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), "asterism-board-"));
  directories.push(directory);
  return directory;
}

function u64(bytes: Uint8Array, offset: number): number {
  const view = new DataView(bytes.buffer);
  return view.getUint32(offset, true) + view.getUint32(offset + 4, true) * 2 ** 32;
}

describe("boot protocol", () => {
  it("writes the boot-information block, memory map, command line and initramfs", () => {
    const initramfs = new TextEncoder().encode("070701 fake cpio");
    const { board } = testBoard({ commandLine: "init=/bin/sh quiet", initramfs });
    const { memory, bootInfoAddress } = board.machine;
    const bytes = memory.bytes;
    expect(bootInfoAddress).toBe(BoardLayout.bootInfoAddress);
    expect(new DataView(bytes.buffer).getUint32(bootInfoAddress, true)).toBe(BOOT_INFO_MAGIC);
    const cmdline = u64(bytes, bootInfoAddress + BootInfoLayout.cmdlineAddress);
    const cmdlineLength = u64(bytes, bootInfoAddress + BootInfoLayout.cmdlineLength);
    expect(new TextDecoder().decode(bytes.subarray(cmdline, cmdline + cmdlineLength))).toBe("init=/bin/sh quiet");
    const initrd = u64(bytes, bootInfoAddress + BootInfoLayout.initramfsAddress);
    expect(u64(bytes, bootInfoAddress + BootInfoLayout.initramfsLength)).toBe(initramfs.length);
    expect(initrd % 4096).toBe(0);
    expect(bytes.subarray(initrd, initrd + initramfs.length)).toEqual(initramfs);
    const map = u64(bytes, bootInfoAddress + BootInfoLayout.memoryMapAddress);
    const count = u64(bytes, bootInfoAddress + BootInfoLayout.memoryMapCount);
    expect(count).toBe(memory.regions.length);
    memory.regions.forEach((region, index) => {
      const entry = map + index * MemoryMapEntryLayout.size;
      expect(u64(bytes, entry)).toBe(region.base);
      expect(u64(bytes, entry + 8)).toBe(region.length);
      expect(new DataView(bytes.buffer).getUint32(entry + 16, true)).toBe(region.kind);
    });
  });

  it("draws a sorted, non-overlapping memory map with usable RAM, the initramfs and MMIO", () => {
    const { board } = testBoard({ initramfs: new Uint8Array(10_000) });
    const regions = board.machine.memory.regions;
    for (let i = 1; i < regions.length; i++) {
      const previous = regions[i - 1];
      const current = regions[i];
      if (previous === undefined || current === undefined) throw new Error("gap");
      expect(current.base).toBeGreaterThanOrEqual(previous.base + previous.length);
    }
    const usable = regions.filter((region) => region.kind === MemoryKind.Usable).reduce((sum, region) => sum + region.length, 0);
    expect(usable).toBeGreaterThan(7 << 20);
    expect(regions.some((region) => region.kind === MemoryKind.Initramfs && region.base + region.length === 8 << 20)).toBe(true);
    expect(regions.some((region) => region.kind === MemoryKind.Mmio && region.base === BoardLayout.localApicBase)).toBe(true);
  });

  it("rejects impossible memory sizes and an initramfs that does not fit", () => {
    expect(() => testBoard({ memorySize: 12345 })).toThrow(BoardError);
    expect(() => testBoard({ memorySize: 4 << 30 })).toThrow(/3 GiB/);
    expect(() => testBoard({ initramfs: new Uint8Array(8 << 20) })).toThrow(/does not fit/);
    expect(() => testBoard({ initramfs: "/nonexistent/initramfs.cpio" })).toThrow(/nonexistent\/initramfs\.cpio/);
  });

  it("rejects a compile threshold below 1 and accepts 1 and Infinity", () => {
    for (const bad of [0, -1, Number.NaN]) expect(() => testBoard({ compileThreshold: bad })).toThrow(/compileThreshold must be at least 1/);
    expect(() => testBoard({ compileThreshold: 1 })).not.toThrow();
    expect(() => testBoard({ compileThreshold: Infinity })).not.toThrow();
  });
});

describe("running an image", () => {
  it("resolves with the exit code written to the power-off port", async () => {
    const { board } = testBoard();
    const code = await board.run(async (machine: Machine) => {
      await machine.pollHost();
      machine.ports.write(BoardLayout.powerOffPort, 4, 42);
    });
    expect(code).toBe(42);
  });

  it("prints through the 16550 on COM1", async () => {
    const harness = testBoard();
    await harness.board.run(async (machine) => {
      for (const byte of new TextEncoder().encode("hello\n")) machine.ports.write(BoardLayout.com1Port, 1, byte);
      await machine.pollHost();
      machine.powerOff(0);
    });
    expect(harness.output()).toBe("hello\n");
  });

  it("loads an ES module image from a path and rejects one without an entry point", async () => {
    const directory = temporaryDirectory();
    const good = join(directory, "good.mjs");
    writeFileSync(good, "export async function boot(machine) { machine.powerOff(7); }\n");
    const bad = join(directory, "bad.mjs");
    writeFileSync(bad, "export const notBoot = 1;\n");
    expect(await testBoard().board.run(good)).toBe(7);
    await expect(testBoard().board.run(bad)).rejects.toThrow(/bad\.mjs" has no entry point/);
    await expect(testBoard().board.run(join(directory, "missing.mjs"))).rejects.toThrow(/cannot load kernel image/);
  });

  it("an image that returns without powering off is an error, and so is one that throws", async () => {
    await expect(testBoard().board.run(() => Promise.resolve())).rejects.toThrow(/without powering the board off/);
    await expect(testBoard().board.run(() => Promise.reject(new Error("kernel panic")))).rejects.toThrow("kernel panic");
  });

  it("unknown ports read as all-ones; unmapped MMIO is a BoardError naming the address", () => {
    const { machine } = testBoard().board;
    expect(machine.ports.read(0x80, 1)).toBe(0xff);
    expect(machine.ports.read(0x80, 4)).toBe(0xffff_ffff);
    expect(() => machine.mmio.read(0xd000_0000, 4)).toThrow(/0xd0000000: no device decodes/);
    expect(() => machine.mmio.write(0x1000, 4, 0)).toThrow(BoardError);
  });
});

describe("CPU system side", () => {
  it("enterUser runs the core and reports a timer interrupt at an instruction boundary", () => {
    const harness = testBoard({ clock: "deterministic" });
    const { machine } = harness.board;
    machine.mmio.write(BoardLayout.localApicBase + 0xf0, 4, 0x1ff);
    machine.mmio.write(BoardLayout.localApicBase + 0x3e0, 4, 0xb);
    machine.mmio.write(BoardLayout.localApicBase + 0x320, 4, 0x30);
    machine.mmio.write(BoardLayout.localApicBase + 0x380, 4, 500);
    const context = machine.cpu.createContext();
    harness.core().budget = 100_000;
    expect(machine.cpu.enterUser(context)).toBe(UserExit.Interrupt);
    expect(harness.core().instructionsRetired).toBeGreaterThanOrEqual(5000);
    expect(harness.core().instructionsRetired).toBeLessThan(5000 + machine.cpu.tscFrequency);
    expect(machine.cpu.takeInterrupt()).toBe(0x30);
    expect(machine.cpu.takeInterrupt()).toBe(-1);
  });

  it("CR3 writes, INVLPG and flushes reach the MMU and the core's caches", () => {
    const harness = testBoard();
    const { cpu } = harness.board.machine;
    cpu.cr3 = 0x20_0123;
    expect(cpu.cr3).toBe(0x20_0000);
    cpu.invalidatePage(0x1000);
    cpu.flushTlb();
    expect(harness.core().translationChanges).toBe(3);
  });

  it("HLT sleeps until the APIC timer fires (host clock)", async () => {
    const { board } = testBoard();
    const { machine } = board;
    machine.mmio.write(BoardLayout.localApicBase + 0xf0, 4, 0x1ff);
    machine.mmio.write(BoardLayout.localApicBase + 0x320, 4, 0x30);
    machine.mmio.write(BoardLayout.localApicBase + 0x3e0, 4, 0xb);
    const started = performance.now();
    machine.mmio.write(BoardLayout.localApicBase + 0x380, 4, 2_000_000);
    await machine.halt();
    const elapsedMs = performance.now() - started;
    expect(elapsedMs).toBeGreaterThanOrEqual(15);
    expect(machine.cpu.takeInterrupt()).toBe(0x30);
  });
});

describe("HLT deadlock", () => {
  it("HLT with nothing that could ever wake the board is a BoardError, not a silent hang", async () => {
    await expect(testBoard({ clock: "deterministic" }).board.run((machine) => machine.halt())).rejects.toThrow(/sleep forever/);
  });
});

describe("deterministic clock", () => {
  async function runOnce(): Promise<string> {
    const harness = testBoard({ clock: "deterministic" });
    await harness.board.run(async (machine) => {
      const apic = BoardLayout.localApicBase;
      machine.mmio.write(apic + 0xf0, 4, 0x1ff);
      machine.mmio.write(apic + 0x320, 4, 0x20 | (1 << 17));
      machine.mmio.write(apic + 0x380, 4, 12345);
      const context = machine.cpu.createContext();
      const trace: string[] = [];
      for (let tick = 0; tick < 20; tick++) {
        const exit = machine.cpu.enterUser(context);
        if (exit === UserExit.Interrupt) {
          trace.push(`irq ${String(machine.cpu.takeInterrupt())}`);
          machine.mmio.write(apic + 0xb0, 4, 0);
        } else {
          await machine.halt();
        }
        trace.push(`${String(machine.cpu.readTsc())} ${String(machine.clock.realtimeNs())} ${String(context.rip)}`);
      }
      for (const byte of new TextEncoder().encode(trace.join("\n"))) machine.ports.write(BoardLayout.com1Port, 1, byte);
      await machine.pollHost();
      machine.powerOff(0);
    });
    return harness.output();
  }

  it("gives the same times and the same output on two runs", async () => {
    const first = await runOnce();
    const second = await runOnce();
    expect(first.split("\n").length).toBeGreaterThan(20);
    expect(second).toBe(first);
  });
});
