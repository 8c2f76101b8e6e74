/**
 * The kernel's random bytes (getrandom, AT_RANDOM, /dev/urandom): xoshiro128** seeded from
 * the board's clocks. The board has no hardware RNG yet and services may not reach the
 * host's; in deterministic-clock runs the stream is reproducible, which tests rely on. It is
 * not cryptographically strong, and the docs say so.
 */

export class Entropy {
  #s0: number;
  #s1: number;
  #s2: number;
  #s3: number;

  constructor(seed: number) {
    this.#s0 = (seed | 0) ^ 0x9e37_79b9;
    this.#s1 = Math.floor(seed / 0x1_0000_0000) ^ 0x243f_6a88;
    this.#s2 = 0x85a3_08d3;
    this.#s3 = 0x1319_8a2e;
    for (let round = 0; round < 16; round++) this.#next();
  }

  /** Fills `out` with pseudo-random bytes. */
  fill(out: Uint8Array): void {
    for (let index = 0; index < out.length; index += 4) {
      const word = this.#next();
      for (let byte = 0; byte < 4 && index + byte < out.length; byte++) out[index + byte] = (word >>> (byte * 8)) & 0xff;
    }
  }

  bytes(count: number): Uint8Array {
    const out = new Uint8Array(count);
    this.fill(out);
    return out;
  }

  /** xoshiro128** step. */
  #next(): number {
    const result = Math.imul(rotl(Math.imul(this.#s1, 5), 7), 9);
    const t = this.#s1 << 9;
    this.#s2 ^= this.#s0;
    this.#s3 ^= this.#s1;
    this.#s1 ^= this.#s2;
    this.#s0 ^= this.#s3;
    this.#s2 ^= t;
    this.#s3 = rotl(this.#s3, 11);
    return result >>> 0;
  }
}

function rotl(value: number, shift: number): number {
  return (value << shift) | (value >>> (32 - shift));
}
