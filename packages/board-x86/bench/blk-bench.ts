/**
 * Benchmark: virtio-blk read throughput against reading the same host file directly, in the
 * same run (best of alternating rounds). The guest side is the test virtio driver: 64 KiB read requests, 32 in flight per
 * notify, over a 64 MiB disk image in the OS temporary directory (deleted afterwards).
 */

import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createBoard } from "../src/board.ts";
import { TestVirtioDriver } from "../test/support/virtio-driver.ts";
import type { BenchRow } from "./mmu-bench.ts";

const DISK_BYTES = 64 << 20;
const REQUEST_BYTES = 64 << 10;
const IN_FLIGHT = 32;
const PASSES = 3;
/** Alternating rounds; the best of each is reported, which filters out other load on the host. */
const ROUNDS = 5;
const RING = 0x20_0000;
const HEADERS = 0x30_0000;
const DATA = 0x40_0000;

/** Reads the file with the same request size into the same 2 MiB of rotating buffers. */
function directRead(path: string): number {
  const buffers = new Uint8Array(IN_FLIGHT * REQUEST_BYTES);
  const fd = openSync(path, "r");
  const start = performance.now();
  for (let pass = 0; pass < PASSES; pass++) {
    for (let offset = 0; offset < DISK_BYTES; offset += REQUEST_BYTES) {
      readSync(fd, buffers, offset % buffers.length, REQUEST_BYTES, offset);
    }
  }
  const seconds = (performance.now() - start) / 1000;
  closeSync(fd);
  return (PASSES * DISK_BYTES) / seconds / 1e6;
}

function virtioRead(path: string): number {
  const board = createBoard({ memorySize: 64 << 20, console: { input: null, output: { write: () => undefined } }, disks: [{ path, readOnly: true }] });
  const machine = board.machine;
  const driver = new TestVirtioDriver(machine, 1);
  driver.negotiate(driver.deviceFeatures(0));
  driver.setupQueue(0, 128, RING);
  driver.driverOk();
  machine.iommu.map(driver.requester, HEADERS, 16, true);
  machine.iommu.map(driver.requester, DATA, (IN_FLIGHT * REQUEST_BYTES) / 4096, true);
  const view = new DataView(machine.memory.bytes.buffer);
  const start = performance.now();
  for (let pass = 0; pass < PASSES; pass++) {
    for (let offset = 0; offset < DISK_BYTES; offset += IN_FLIGHT * REQUEST_BYTES) {
      for (let slot = 0; slot < IN_FLIGHT; slot++) {
        const header = HEADERS + slot * 32;
        view.setUint32(header, 0, true);
        view.setUint32(header + 8, (offset + slot * REQUEST_BYTES) / 512, true);
        driver.post(0, [
          { address: header, length: 16, write: false },
          { address: DATA + slot * REQUEST_BYTES, length: REQUEST_BYTES, write: true },
          { address: header + 16, length: 1, write: true },
        ]);
      }
      driver.notify(0);
      const used = driver.takeUsed(0);
      if (used.length !== IN_FLIGHT) throw new Error(`expected ${String(IN_FLIGHT)} completions, got ${String(used.length)}`);
    }
  }
  const seconds = (performance.now() - start) / 1000;
  return (PASSES * DISK_BYTES) / seconds / 1e6;
}

export function blkBench(): BenchRow[] {
  const directory = mkdtempSync(join(tmpdir(), "asterism-bench-"));
  try {
    const path = join(directory, "disk.img");
    writeFileSync(path, new Uint8Array(DISK_BYTES).fill(0x5a));
    let direct = 0;
    let virtio = 0;
    for (let round = 0; round < ROUNDS; round++) {
      direct = Math.max(direct, directRead(path));
      virtio = Math.max(virtio, virtioRead(path));
    }
    return [
      { name: "host file read, direct (64 KiB)", value: direct, unit: "MB/s" },
      { name: "virtio-blk read (64 KiB, 32 in flight)", value: virtio, unit: "MB/s" },
      { name: "virtio-blk / direct", value: virtio / direct, unit: "ratio" },
    ];
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
