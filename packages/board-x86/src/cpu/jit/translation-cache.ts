/**
 * Translations by block content, shared by every core in the host process: a translated
 * function depends only on its block's address, instruction count and bytes (the core and
 * the RAM index arrive as arguments), so the same program run again, or another process
 * running it, reuses the function and the optimized code V8 made for it.
 *
 * Entries are found by a 32-bit FNV-1a hash and confirmed by comparing the bytes; a
 * collision only replaces the older entry. Every new block asks, so asking is kept cheap.
 */

import type { CompiledBlock } from "./compile.ts";

interface Entry {
  readonly rip: number;
  readonly count: number;
  readonly bytes: Uint8Array;
  readonly compiled: CompiledBlock;
}

const MAX_ENTRIES = 1 << 16;
const entries = new Map<number, Entry>();

function hash(rip: number, count: number, bytes: Uint8Array): number {
  let h = Math.imul(0x811c9dc5 ^ (rip | 0), 0x01000193) ^ Math.floor(rip / 4294967296);
  h = Math.imul(h ^ count, 0x01000193);
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ (bytes[i] ?? 0), 0x01000193);
  return h;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The translation of a block at `rip` of `count` instructions decoded from `bytes`, if made before. */
export function findTranslation(rip: number, count: number, bytes: Uint8Array): CompiledBlock | undefined {
  const entry = entries.get(hash(rip, count, bytes));
  if (entry === undefined || entry.rip !== rip || entry.count !== count || !sameBytes(entry.bytes, bytes)) return undefined;
  return entry.compiled;
}

/** Remembers a translation (`bytes` must not change afterwards). */
export function addTranslation(rip: number, count: number, bytes: Uint8Array, compiled: CompiledBlock): void {
  if (entries.size >= MAX_ENTRIES) entries.clear();
  entries.set(hash(rip, count, bytes), { rip, count, bytes, compiled });
}
