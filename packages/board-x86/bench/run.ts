/**
 * `pnpm bench` for the board: runs each benchmark in this process and prints one table.
 */

import { blkBench } from "./blk-bench.ts";
import { mmuBench, type BenchRow } from "./mmu-bench.ts";

const rows: BenchRow[] = [...mmuBench(), ...blkBench()];
const width = Math.max(...rows.map((row) => row.name.length));
console.log(`${"benchmark".padEnd(width)}  ${"value".padStart(10)}  unit`);
console.log(`${"-".repeat(width)}  ${"-".repeat(10)}  ----`);
for (const row of rows) console.log(`${row.name.padEnd(width)}  ${row.value.toFixed(2).padStart(10)}  ${row.unit}`);
