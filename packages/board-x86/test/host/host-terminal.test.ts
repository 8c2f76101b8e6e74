import { describe, expect, it } from "vitest";
import { BoardLayout } from "../../src/machine.ts";
import { testBoard } from "../support/test-board.ts";

/** A fake interactive terminal: records raw-mode changes and lets the test type and hang up. */
function fakeTty() {
  const rawModes: boolean[] = [];
  let listener: ((chunk: Buffer | string) => void) | undefined;
  let endListener: (() => void) | undefined;
  return {
    rawModes,
    stream: {
      isTTY: true,
      setRawMode: (raw: boolean) => rawModes.push(raw),
      on: (_event: "data", l: (chunk: Buffer | string) => void) => { listener = l; },
      off: () => { listener = undefined; },
      once: (_event: "end", l: () => void) => { endListener = l; },
      removeListener: () => { endListener = undefined; },
      resume: () => undefined,
      pause: () => undefined,
    },
    type: (bytes: Uint8Array) => listener?.(Buffer.from(bytes)),
    hangUp: () => endListener?.(),
    attached: () => listener !== undefined,
  };
}

describe("host terminal", () => {
  it("uses raw mode on a TTY, restores it at power-off, and feeds keys to the UART", async () => {
    const tty = fakeTty();
    const harness = testBoard({ console: { input: tty.stream } });
    const code = await harness.board.run(async (machine) => {
      expect(tty.rawModes).toEqual([true]);
      tty.type(Uint8Array.of(0x03, 0x61));
      expect(machine.ports.read(BoardLayout.com1Port + 5, 1) & 1).toBe(1);
      expect(machine.ports.read(BoardLayout.com1Port, 1)).toBe(0x03);
      expect(machine.ports.read(BoardLayout.com1Port, 1)).toBe(0x61);
      await machine.pollHost();
      machine.powerOff(0);
    });
    expect(code).toBe(0);
    expect(tty.rawModes).toEqual([true, false]);
    expect(tty.attached()).toBe(false);
  });

  it("the end of host input reaches the UART as a break after the queued bytes", async () => {
    const tty = fakeTty();
    const harness = testBoard({ console: { input: tty.stream } });
    const lineStatus = BoardLayout.com1Port + 5;
    await harness.board.run(async (machine) => {
      tty.type(Uint8Array.of(0x61));
      tty.hangUp();
      expect(machine.ports.read(lineStatus, 1) & 0x11).toBe(0x01);
      expect(machine.ports.read(BoardLayout.com1Port, 1)).toBe(0x61);
      expect(machine.ports.read(lineStatus, 1) & 0x11).toBe(0x11);
      expect(machine.ports.read(BoardLayout.com1Port, 1)).toBe(0);
      expect(machine.ports.read(lineStatus, 1) & 0x11).toBe(0);
      await machine.pollHost();
      machine.powerOff(0);
    });
  });

  it("Ctrl-A x powers off with exit code 130; Ctrl-A Ctrl-A sends one Ctrl-A", async () => {
    const tty = fakeTty();
    const harness = testBoard({ console: { input: tty.stream } });
    const code = await harness.board.run(async (machine) => {
      tty.type(Uint8Array.of(0x01, 0x01));
      expect(machine.ports.read(BoardLayout.com1Port, 1)).toBe(0x01);
      expect(machine.ports.read(BoardLayout.com1Port + 5, 1) & 1).toBe(0);
      tty.type(Uint8Array.of(0x01, 0x78));
      await machine.halt();
    });
    expect(code).toBe(130);
  });

  it("HLT with no timer armed sleeps until a key arrives and the UART interrupt is pending", async () => {
    const tty = fakeTty();
    const harness = testBoard({ console: { input: tty.stream } });
    await harness.board.run(async (machine) => {
      machine.mmio.write(BoardLayout.localApicBase + 0xf0, 4, 0x1ff);
      machine.mmio.write(BoardLayout.ioApicBase, 4, 0x10 + 2 * 4);
      machine.mmio.write(BoardLayout.ioApicBase + 0x10, 4, 0x24);
      machine.ports.write(BoardLayout.com1Port + 4, 1, 0x08);
      machine.ports.write(BoardLayout.com1Port + 1, 1, 0x01);
      let woke = false;
      const halted = machine.halt().then(() => { woke = true; });
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(woke).toBe(false);
      tty.type(Uint8Array.of(0x71));
      await halted;
      expect(machine.cpu.takeInterrupt()).toBe(0x24);
      expect(machine.ports.read(BoardLayout.com1Port, 1)).toBe(0x71);
      machine.powerOff(0);
    });
  });
});
