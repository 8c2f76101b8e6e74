import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BoardError } from "../../src/board-error.ts";
import { BoardLayout } from "../../src/machine.ts";
import { CommonConfig, DeviceStatus } from "../../src/virtio/virtio-backend.ts";
import { BlkFeature, BlkRequest, BlkStatus } from "../../src/virtio/virtio-blk.ts";
import { testBoard } from "../support/test-board.ts";
import { TestVirtioDriver } from "../support/virtio-driver.ts";

const SECTORS = 128;
const RING = 0x20_0000;
const DATA = 0x30_0000;
let directory = "";
let diskPath = "";

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), "asterism-blk-"));
  diskPath = join(directory, "disk.img");
  const image = new Uint8Array(SECTORS * 512);
  for (let sector = 0; sector < SECTORS; sector++) image.fill(sector, sector * 512, sector * 512 + 512);
  writeFileSync(diskPath, image);
});

afterEach(() => {
  rmSync(directory, { recursive: true, force: true });
});

function setup(readOnly = false) {
  const harness = testBoard({ disks: [{ path: diskPath, readOnly }] });
  const machine = harness.board.machine;
  const driver = new TestVirtioDriver(machine, 1);
  const features = driver.deviceFeatures(0);
  expect(driver.negotiate(features) & DeviceStatus.FeaturesOk).toBe(DeviceStatus.FeaturesOk);
  driver.setupQueue(0, 16, RING);
  driver.driverOk();
  machine.iommu.map(driver.requester, DATA, 16, true);
  const bytes = machine.memory.bytes;
  const view = new DataView(bytes.buffer);
  /** Submits one request: header at DATA, data at DATA+0x1000, status at DATA+0x3000. */
  const request = (type: number, sector: number, length: number, dataWritable: boolean) => {
    view.setUint32(DATA, type, true);
    view.setUint32(DATA + 8, sector, true);
    bytes[DATA + 0x3000] = 0xff;
    const chain = [{ address: DATA, length: 16, write: false }];
    if (length > 0) chain.push({ address: DATA + 0x1000, length, write: dataWritable });
    chain.push({ address: DATA + 0x3000, length: 1, write: true });
    driver.submit(0, chain);
    return { status: bytes[DATA + 0x3000], used: driver.takeUsed(0) };
  };
  return { harness, machine, driver, bytes, request };
}

describe("virtio-blk over the modern PCI transport", () => {
  it("identifies as a modern virtio block device on PCI", () => {
    const { driver } = setup();
    expect(driver.config(0x00, 2)).toBe(0x1af4);
    expect(driver.config(0x02, 2)).toBe(0x1042);
    expect(driver.config(0x08, 1)).toBe(1);
    expect(driver.config(0x3d, 1)).toBe(1);
    expect(driver.config(0x3c, 1)).toBe(16);
    expect(driver.commonBase).toBeGreaterThanOrEqual(BoardLayout.pciMmioBase);
    expect(driver.notifyMultiplier).toBe(4);
  });

  it("reaches BAR 0 through the PCI configuration access capability", () => {
    const { driver } = setup();
    const cap = driver.capability(5);
    expect(cap).toBeGreaterThan(0);
    driver.setConfig(cap + 4, 1, 0);
    driver.setConfig(cap + 8, 4, CommonConfig.NumQueues);
    driver.setConfig(cap + 12, 4, 2);
    expect(driver.config(cap + 16, 2)).toBe(1);
    driver.setConfig(cap + 8, 4, CommonConfig.QueueSelect);
    driver.setConfig(cap + 16, 2, 7);
    expect(driver.common(CommonConfig.QueueSelect, 2)).toBe(7);
    driver.setConfig(cap + 12, 4, 3);
    expect(driver.config(cap + 16, 4)).toBe(0);
  });

  it("offers VERSION_1, FLUSH and BLK_SIZE and reports the capacity", () => {
    const { driver, machine } = setup();
    expect(driver.deviceFeatures(1)).toBe(1);
    expect(driver.deviceFeatures(0) & (BlkFeature.Flush | BlkFeature.BlockSize)).toBe(BlkFeature.Flush | BlkFeature.BlockSize);
    expect(machine.mmio.read(driver.deviceBase, 4)).toBe(SECTORS);
    expect(machine.mmio.read(driver.deviceBase + 20, 4)).toBe(512);
    expect(driver.common(CommonConfig.NumQueues, 2)).toBe(1);
    expect(driver.common(CommonConfig.ConfigMsixVector, 2)).toBe(0xffff);
  });

  it("refuses FEATURES_OK without VERSION_1 or with features it did not offer", () => {
    const { driver } = setup();
    expect(driver.negotiate(0, 0) & DeviceStatus.FeaturesOk).toBe(0);
    expect(driver.negotiate(1 << 3) & DeviceStatus.FeaturesOk).toBe(0);
    expect(driver.negotiate(BlkFeature.Flush) & DeviceStatus.FeaturesOk).toBe(DeviceStatus.FeaturesOk);
  });

  it("reads sectors from the host file into guest memory", () => {
    const { request, bytes } = setup();
    const { status, used } = request(BlkRequest.In, 3, 1024, true);
    expect(status).toBe(BlkStatus.Ok);
    expect(used).toEqual([{ id: 0, length: 1025 }]);
    expect(bytes[DATA + 0x1000]).toBe(3);
    expect(bytes[DATA + 0x1000 + 600]).toBe(4);
  });

  it("writes sectors to the host file and flushes", () => {
    const { request, bytes } = setup();
    bytes.fill(0xab, DATA + 0x1000, DATA + 0x1200);
    expect(request(BlkRequest.Out, 5, 512, false).status).toBe(BlkStatus.Ok);
    expect(request(BlkRequest.Flush, 0, 0, false).status).toBe(BlkStatus.Ok);
    const file = readFileSync(diskPath);
    expect(file[5 * 512]).toBe(0xab);
    expect(file[6 * 512]).toBe(6);
  });

  it("answers out-of-range, odd-sized and read-only requests with IOERR, unknown types with UNSUPP", () => {
    const { request } = setup();
    expect(request(BlkRequest.In, SECTORS - 1, 1024, true).status).toBe(BlkStatus.IoError);
    expect(request(BlkRequest.In, 0, 100, true).status).toBe(BlkStatus.IoError);
    expect(request(77, 0, 0, false).status).toBe(BlkStatus.Unsupported);
    const readOnly = setup(true);
    expect(readOnly.request(BlkRequest.Out, 1, 512, false).status).toBe(BlkStatus.IoError);
  });

  it("a host I/O failure (the file shrank under the board) is IOERR plus a log line", () => {
    const { request, harness } = setup();
    truncateSync(diskPath, 512);
    expect(request(BlkRequest.In, 4, 512, true).status).toBe(BlkStatus.IoError);
    expect(harness.log.join("\n")).toMatch(/host I\/O error on ".*disk\.img": short read/);
  });

  it("raises INTx through the I/O APIC to the local APIC, acknowledged by reading the ISR", () => {
    const { machine, driver, request } = setup();
    machine.mmio.write(BoardLayout.localApicBase + 0xf0, 4, 0x1ff);
    machine.mmio.write(BoardLayout.ioApicBase, 4, 0x10 + 2 * 16);
    machine.mmio.write(BoardLayout.ioApicBase + 0x10, 4, 0x8040);
    request(BlkRequest.In, 0, 512, true);
    expect(machine.cpu.interruptPending).toBe(true);
    expect(machine.cpu.takeInterrupt()).toBe(0x40);
    expect(driver.readIsr()).toBe(1);
    expect(driver.readIsr()).toBe(0);
    machine.mmio.write(BoardLayout.localApicBase + 0xb0, 4, 0);
    expect(machine.cpu.interruptPending).toBe(false);
  });

  it("a buffer outside the IOMMU map is a device error, not a host crash", () => {
    const { driver, harness, bytes } = setup();
    const view = new DataView(bytes.buffer);
    view.setUint32(DATA, BlkRequest.In, true);
    driver.submit(0, [
      { address: DATA, length: 16, write: false },
      { address: 0x60_0000, length: 512, write: true },
      { address: DATA + 0x3000, length: 1, write: true },
    ]);
    expect(driver.common(CommonConfig.DeviceStatus, 1) & DeviceStatus.NeedsReset).toBe(DeviceStatus.NeedsReset);
    expect(harness.log.join("\n")).toMatch(/IOMMU: DMA write of 512 bytes at 0x600000 by requester 00:01.0/);
    expect(driver.readIsr() & 2).toBe(2);
  });

  it("a looping descriptor chain is a device error", () => {
    const { driver, harness } = setup();
    driver.writeDescriptor(0, 0, DATA, 16, 1, 1);
    driver.writeDescriptor(0, 1, DATA + 0x1000, 16, 1, 0);
    driver.offer(0, 0);
    expect(driver.common(CommonConfig.DeviceStatus, 1) & DeviceStatus.NeedsReset).toBe(DeviceStatus.NeedsReset);
    expect(harness.log.join("\n")).toMatch(/loops/);
  });

  it("a descriptor index beyond the queue and a missing status byte are device errors", () => {
    const first = setup();
    first.driver.writeDescriptor(0, 0, DATA, 16, 1, 99);
    first.driver.offer(0, 0);
    expect(first.harness.log.join("\n")).toMatch(/descriptor index 99/);
    const second = setup();
    second.driver.submit(0, [{ address: DATA, length: 16, write: false }]);
    expect(second.harness.log.join("\n")).toMatch(/no writable status byte/);
  });

  it("a missing disk file is a BoardError naming it", () => {
    expect(() => testBoard({ disks: [{ path: join(directory, "nope.img") }] })).toThrow(BoardError);
    expect(() => testBoard({ disks: [{ path: join(directory, "nope.img") }] })).toThrow(/nope\.img/);
  });
});

describe("virtio queue setup", () => {
  it("a queue larger than the device maximum or not a power of two is a device error", () => {
    const first = testBoard({ disks: [{ path: diskPath }] });
    const big = new TestVirtioDriver(first.board.machine, 1);
    big.negotiate(0);
    big.setupQueue(0, 512, RING);
    expect(big.common(CommonConfig.DeviceStatus, 1) & DeviceStatus.NeedsReset).toBe(DeviceStatus.NeedsReset);
    expect(first.log.join("\n")).toMatch(/exceeds the device maximum 256/);
    const second = testBoard({ disks: [{ path: diskPath }] });
    const odd = new TestVirtioDriver(second.board.machine, 1);
    odd.negotiate(0);
    odd.setupQueue(0, 12, RING);
    expect(second.log.join("\n")).toMatch(/not a power of two/);
  });

  it("reset clears the device status and its queues", () => {
    const { driver } = setup();
    driver.setCommon(CommonConfig.DeviceStatus, 1, 0);
    expect(driver.common(CommonConfig.DeviceStatus, 1)).toBe(0);
    driver.setCommon(CommonConfig.QueueSelect, 2, 0);
    expect(driver.common(CommonConfig.QueueEnable, 2)).toBe(0);
    expect(driver.common(CommonConfig.QueueSize, 2)).toBe(256);
  });
});
