import { describe, expect, it } from "vitest";
import {
  deferToBottomHalf, injectConsole, injectLogger, IrqLine, log, LogLevel, println, setLogLevel, unwrap, WaitQueue,
} from "../src/index.ts";
import { fakeMachine, inKernel } from "./support/kernel.ts";

describe("interrupts", () => {
  it("run the top half at once and the bottom half outside interrupt context, which may wake tasks", () =>
    inKernel(async () => {
      const machine = fakeMachine();
      const line = unwrap(IrqLine.alloc());
      const arrived = new WaitQueue();
      const events: string[] = [];
      let packets = 0;
      line.onActive(() => {
        events.push("top");
        deferToBottomHalf(() => {
          events.push("bottom");
          packets++;
          arrived.wakeAll();
        });
      });
      line.onActive(() => { throw new Error("a buggy second handler"); });
      setTimeout(() => { machine.pendingVectors.push(line.vector); }, 2);
      await arrived.waitUntil(() => packets > 0);
      expect(events).toEqual(["top", "bottom"]);
      line.release();
      expect(() => { line.onActive(() => undefined); }).toThrow(/released/);
    }));
});

describe("console and logger injection", () => {
  it("sends console text and log lines where the kernel says", () =>
    inKernel(() => {
      const machine = fakeMachine();
      println("early");
      expect(machine.console.join("")).toContain("early\n");
      const text: string[] = [];
      const lines: string[] = [];
      injectConsole({ write: (chunk) => { text.push(chunk); } });
      injectLogger({ log: (level, message) => { lines.push(`${String(level)}:${message}`); } });
      println("to the tty");
      log(LogLevel.Warn, "disk slow");
      log(LogLevel.Debug, "hidden");
      setLogLevel(LogLevel.Debug);
      log(LogLevel.Debug, "shown");
      expect(text).toEqual(["to the tty\n"]);
      expect(lines).toEqual(["2:disk slow", "4:shown"]);
    }));
});
