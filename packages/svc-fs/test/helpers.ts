/**
 * Test fixtures: a VFS on a manual clock, text helpers, and an in-memory cpio newc writer
 * (so archive tests need no host tools).
 */
import { FsContext, Vfs, type OpenFile, type Timespec } from "../src/index.ts";

export class ManualClock {
  now: Timespec = { sec: 1_700_000_000, nsec: 0 };
  read = (): Timespec => this.now;
  advance(seconds: number): void {
    this.now = { sec: this.now.sec + seconds, nsec: this.now.nsec };
  }
}

export function makeVfs(): { vfs: Vfs; clock: ManualClock; root: FsContext } {
  const clock = new ManualClock();
  const vfs = new Vfs({ clock: clock.read });
  return { vfs, clock, root: vfs.createContext() };
}

export function userContext(vfs: Vfs, uid: number, gid: number, groups: number[] = []): FsContext {
  const ctx = vfs.createContext({ uid, gid, groups });
  return ctx;
}

export const text = (value: string): Uint8Array => new TextEncoder().encode(value);
export const decode = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

export async function readAllText(file: OpenFile): Promise<string> {
  let out = "";
  for (;;) {
    const chunk = await file.read(4096);
    if (chunk.length === 0) return out;
    out += decode(chunk);
  }
}

export interface CpioSpec {
  name: string;
  mode: number;
  data?: Uint8Array | string;
  ino?: number;
  uid?: number;
  gid?: number;
  nlink?: number;
  mtime?: number;
  rdevMajor?: number;
  rdevMinor?: number;
}

function hex8(value: number): string {
  return value.toString(16).padStart(8, "0");
}

function pad4(parts: number[]): void {
  while (parts.length % 4 !== 0) parts.push(0);
}

/** One newc record ("070701", or "070702" with the data checksum). */
export function cpioRecord(spec: CpioSpec, magic = "070701", checksumOverride?: number): number[] {
  const data = typeof spec.data === "string" ? text(spec.data) : (spec.data ?? new Uint8Array(0));
  const nameBytes = [...text(spec.name), 0];
  let checksum = 0;
  for (const byte of data) checksum = (checksum + byte) >>> 0;
  const fields = [
    spec.ino ?? 0,
    spec.mode,
    spec.uid ?? 0,
    spec.gid ?? 0,
    spec.nlink ?? 1,
    spec.mtime ?? 0,
    data.length,
    0,
    0,
    spec.rdevMajor ?? 0,
    spec.rdevMinor ?? 0,
    nameBytes.length,
    magic === "070702" ? (checksumOverride ?? checksum) : 0,
  ];
  const out = [...text(magic + fields.map(hex8).join("")), ...nameBytes];
  pad4(out);
  out.push(...data);
  pad4(out);
  return out;
}

export function buildCpio(specs: CpioSpec[], magic = "070701"): Uint8Array {
  const out: number[] = [];
  let ino = 100;
  for (const spec of specs) out.push(...cpioRecord({ ino: (ino += 1), ...spec }, magic));
  out.push(...cpioRecord({ name: "TRAILER!!!", mode: 0 }, magic));
  return Uint8Array.from(out);
}
