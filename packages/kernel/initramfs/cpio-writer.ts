/**
 * Writes cpio "newc" archives (the initramfs format the board's loader places in RAM and
 * svc-fs unpacks). Host tool: used by the default-initramfs builder and the boot tests.
 */

export interface CpioFile {
  /** Path without a leading slash. */
  readonly path: string;
  /** st_mode with type bits (0o100755 file, 0o40755 directory, 0o120777 symlink: data is the target). */
  readonly mode: number;
  readonly data?: Uint8Array;
  readonly mtime?: number;
}

function header(fields: number[], nameSize: number): string {
  return `070701${[...fields, nameSize, 0].map((value) => value.toString(16).padStart(8, "0")).join("")}`;
}

function pad(parts: Uint8Array[], length: number): void {
  const remainder = length % 4;
  if (remainder !== 0) parts.push(new Uint8Array(4 - remainder));
}

export function buildCpio(files: readonly CpioFile[]): Uint8Array {
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [];
  let length = 0;
  const push = (bytes: Uint8Array): void => {
    parts.push(bytes);
    length += bytes.length;
    const before = parts.length;
    pad(parts, length);
    if (parts.length > before) length += parts.at(-1)?.length ?? 0;
  };
  [...files, { path: "TRAILER!!!", mode: 0 }].forEach((file, index) => {
    const data = file.data ?? new Uint8Array(0);
    const name = encoder.encode(`${file.path}\0`);
    const fields = [index + 1, file.mode, 0, 0, 1, file.mtime ?? 0, data.length, 0, 0, 0, 0];
    parts.push(encoder.encode(header(fields, name.length)));
    length += 110;
    push(name);
    if (data.length > 0) push(data);
  });
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
