/**
 * Benchmark: loads and stores per second through the MMU on TLB hits, i.e. what every guest
 * memory access costs on top of the RAM access itself. A 256 KiB working set of 4 KiB user
 * pages is translated once (TLB filled) and then read or written a word at a time.
 */

import { Access } from "../src/cpu-wiring.ts";
import { Mmu } from "../src/mmu/mmu.ts";
import { PageTableBuilder } from "../test/support/page-tables.ts";

const PAGES = 64;
const BASE_VA = 0x7f00_0000_0000;
const BASE_PA = 0x20_0000;
const OPERATIONS = 50_000_000;

export interface BenchRow {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
}

function setup(): { mmu: Mmu; ram: Uint8Array } {
  const ram = new Uint8Array(8 << 20);
  const tables = new PageTableBuilder(ram, 0x10_0000);
  for (let page = 0; page < PAGES; page++) tables.map(BASE_VA + page * 4096, BASE_PA + page * 4096);
  const mmu = new Mmu(ram);
  mmu.cr3 = tables.cr3;
  for (let page = 0; page < PAGES; page++) mmu.translate(BASE_VA + page * 4096, Access.Write);
  return { mmu, ram };
}

function loads(mmu: Mmu, ram: Uint8Array, count: number): number {
  let sum = 0;
  for (let i = 0; i < count; i++) {
    const address = BASE_VA + ((i * 68) & (PAGES * 4096 - 1));
    sum = (sum + (ram[mmu.translate(address, Access.Read)] ?? 0)) | 0;
  }
  return sum;
}

function stores(mmu: Mmu, ram: Uint8Array, count: number): number {
  for (let i = 0; i < count; i++) {
    const address = BASE_VA + ((i * 68) & (PAGES * 4096 - 1));
    ram[mmu.translate(address, Access.Write)] = i;
  }
  return ram[BASE_PA] ?? 0;
}

function measure(run: (count: number) => number): number {
  run(OPERATIONS / 10);
  const start = performance.now();
  const sink = run(OPERATIONS);
  const seconds = (performance.now() - start) / 1000;
  if (sink === 0.5) console.log(sink);
  return OPERATIONS / seconds;
}

export function mmuBench(): BenchRow[] {
  const { mmu, ram } = setup();
  return [
    { name: "MMU translated loads (TLB hit)", value: measure((n) => loads(mmu, ram, n)) / 1e6, unit: "M/s" },
    { name: "MMU translated stores (TLB hit)", value: measure((n) => stores(mmu, ram, n)) / 1e6, unit: "M/s" },
  ];
}
