/**
 * Growable, sparse-friendly byte storage behind every ramfs regular file.
 *
 * Contents live in 4 KiB chunks that are allocated on first write, so a file that is seeked
 * far past its end and written there (or truncated up) costs only the chunks actually written;
 * holes read as zeros. st_blocks counts allocated chunks, as on a real sparse file.
 */
import { Errno, fsError } from "./errno.ts";

export const CHUNK_SIZE = 4096;
/** Largest file size accepted (1 TiB): beyond it writes and truncates fail with EFBIG. */
export const MAX_FILE_SIZE = 2 ** 40;

export class ByteStore {
  #chunks = new Map<number, Uint8Array>();
  #size = 0;

  get size(): number {
    return this.#size;
  }

  /** Allocated bytes, in 512-byte blocks. */
  get blocks(): number {
    return this.#chunks.size * (CHUNK_SIZE / 512);
  }

  /** Copies up to `length` bytes from `offset`; short (or empty) at end of file. */
  read(offset: number, length: number): Uint8Array {
    const end = Math.min(this.#size, offset + length);
    if (end <= offset) return new Uint8Array(0);
    const out = new Uint8Array(end - offset);
    let position = offset;
    while (position < end) {
      const index = Math.floor(position / CHUNK_SIZE);
      const within = position - index * CHUNK_SIZE;
      const count = Math.min(CHUNK_SIZE - within, end - position);
      const chunk = this.#chunks.get(index);
      if (chunk !== undefined) out.set(chunk.subarray(within, within + count), position - offset);
      position += count;
    }
    return out;
  }

  /** Writes all of `data` at `offset`, growing the file as needed. */
  write(offset: number, data: Uint8Array): number {
    const end = offset + data.length;
    if (end > MAX_FILE_SIZE) throw fsError(Errno.EFBIG, `write past ${String(MAX_FILE_SIZE)} bytes`);
    let position = offset;
    while (position < end) {
      const index = Math.floor(position / CHUNK_SIZE);
      const within = position - index * CHUNK_SIZE;
      const count = Math.min(CHUNK_SIZE - within, end - position);
      let chunk = this.#chunks.get(index);
      if (chunk === undefined) {
        chunk = new Uint8Array(CHUNK_SIZE);
        this.#chunks.set(index, chunk);
      }
      chunk.set(data.subarray(position - offset, position - offset + count), within);
      position += count;
    }
    if (end > this.#size) this.#size = end;
    return data.length;
  }

  /** Sets the size; shrinking frees whole chunks and zeroes the tail of the last one. */
  truncate(size: number): void {
    if (size > MAX_FILE_SIZE) throw fsError(Errno.EFBIG, `truncate to ${String(size)} bytes`);
    if (size < this.#size) {
      const keptChunks = Math.ceil(size / CHUNK_SIZE);
      for (const index of [...this.#chunks.keys()]) {
        if (index >= keptChunks) this.#chunks.delete(index);
      }
      const within = size % CHUNK_SIZE;
      const last = this.#chunks.get(keptChunks - 1);
      if (within !== 0 && last !== undefined) last.fill(0, within);
    }
    this.#size = size;
  }
}
