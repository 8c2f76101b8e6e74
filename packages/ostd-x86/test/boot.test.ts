import { describe, expect, it } from "vitest";
import { runKernel } from "./support/board.ts";

describe("boot on the real board", () => {
  it("hands the kernel its command line, memory map and initramfs, and powers off with its exit code", async () => {
    const run = await runKernel(async (ostd) => {
      const info = ostd.bootInfo();
      ostd.println(`cmdline=${info.commandLine}`);
      ostd.println(`usable=${String(info.memoryRegions.filter((r) => r.kind === "usable").length > 0)}`);
      ostd.println(`initramfs=${new TextDecoder().decode(info.readInitramfs())}`);
      ostd.powerOff(7);
      return Promise.resolve();
    }, { commandLine: "console=ttyS0 init=/bin/sh", initramfs: new TextEncoder().encode("070701") });
    expect(run.exitCode).toBe(7);
    expect(run.console).toContain("cmdline=console=ttyS0 init=/bin/sh\n");
    expect(run.console).toContain("usable=true\n");
    expect(run.console).toContain("initramfs=070701\n");
  });

  it("powers off with 0 when main returns and with 1 on a kernel panic", async () => {
    expect((await runKernel(() => Promise.resolve())).exitCode).toBe(0);
    const panic = await runKernel(() => Promise.reject(new Error("out of ideas")));
    expect(panic.exitCode).toBe(1);
    expect(panic.console).toMatch(/\[error\] kernel panic: Error: out of ideas/);
  });

  it("ticks the timer, sleeps and wakes tasks from timer interrupts", async () => {
    const run = await runKernel(async (ostd) => {
      const start = ostd.Timer.now();
      await ostd.sleep(30_000_000);
      const elapsed = ostd.Timer.now() - start;
      ostd.println(`slept=${String(elapsed >= 30_000_000)} ticks=${String(ostd.Timer.ticks >= 2)}`);
    });
    expect(run.console).toContain("slept=true ticks=true");
  });

  it("enumerates the board's PCI devices with their BARs", async () => {
    const run = await runKernel((ostd) => {
      for (const device of ostd.PciFunction.enumerate()) {
        const bars = device.bars.map((bar) => `${bar.kind}@${bar.base.toString(16)}+${bar.size.toString(16)}`).join(",");
        ostd.println(`pci ${device.location.toString(16)} ${device.vendorId.toString(16)}:${device.deviceId.toString(16)} ${bars}`);
        for (const bar of device.bars) {
          if (bar.kind === "memory") ostd.println(`iomem ${String(bar.index)} ${String(device.ioMem(bar.index).ok)}`);
        }
      }
      return Promise.resolve();
    });
    expect(run.console).toMatch(/pci 0 8086:29c0/);
    expect(run.console).toMatch(/pci 8 1af4:\w+ memory@c\w+\+\w+/);
    expect(run.console).toContain("iomem ");
    expect(run.console).not.toMatch(/iomem \d+ false/);
  });
});
