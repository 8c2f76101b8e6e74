import { describe, expect, it } from "vitest";
import { DeviceStatus } from "../../src/virtio/virtio-backend.ts";
import { testBoard } from "../support/test-board.ts";
import { TestVirtioDriver } from "../support/virtio-driver.ts";

const BUFFERS = 0x40_0000;

/** A console input stream the test can type into. */
function fakeInput() {
  let listener: ((chunk: Buffer | string) => void) | undefined;
  return {
    stream: {
      on: (_event: "data", l: (chunk: Buffer | string) => void) => { listener = l; },
      off: () => { listener = undefined; },
      resume: () => undefined,
      pause: () => undefined,
    },
    type: (text: string) => listener?.(text),
  };
}

describe("virtio-console", () => {
  it("transmits guest output and delivers host input into posted buffers", async () => {
    const input = fakeInput();
    const harness = testBoard({ console: { device: "virtio", input: input.stream } });
    const received: string[] = [];
    const code = await harness.board.run(async (machine) => {
      const driver = new TestVirtioDriver(machine, 1);
      expect(driver.config(0x02, 2)).toBe(0x1043);
      expect(driver.negotiate(0) & DeviceStatus.FeaturesOk).toBe(DeviceStatus.FeaturesOk);
      driver.setupQueue(0, 8, 0x20_0000);
      driver.setupQueue(1, 8, 0x21_0000);
      expect(driver.driverOk() & DeviceStatus.DriverOk).toBe(DeviceStatus.DriverOk);
      machine.iommu.map(driver.requester, BUFFERS, 2, true);

      machine.memory.bytes.set(new TextEncoder().encode("from guest\n"), BUFFERS);
      driver.submit(1, [{ address: BUFFERS, length: 11, write: false }]);
      expect(driver.takeUsed(1)).toEqual([{ id: 0, length: 0 }]);

      input.type("early");
      driver.submit(0, [{ address: BUFFERS + 0x1000, length: 3, write: true }]);
      driver.submit(0, [{ address: BUFFERS + 0x1100, length: 64, write: true }]);
      for (const used of driver.takeUsed(0)) {
        const at = used.id === 0 ? BUFFERS + 0x1000 : BUFFERS + 0x1100;
        received.push(new TextDecoder().decode(machine.memory.bytes.subarray(at, at + used.length)));
      }
      await machine.pollHost();
      machine.powerOff(3);
    });
    expect(code).toBe(3);
    expect(received).toEqual(["ear", "ly"]);
    expect(harness.output()).toBe("from guest\n");
  });
});
