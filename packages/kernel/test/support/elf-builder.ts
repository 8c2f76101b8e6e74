/**
 * Builds small ELF64 files in memory for the loader tests, so every malformation can be
 * produced on purpose (host test code: DataView is fine here).
 */

export interface SegmentSpec {
  type?: number;
  flags: number;
  offset: number;
  vaddr: number;
  fileSize: number;
  memSize: number;
  align?: number;
}

export interface ElfSpec {
  type?: number;
  machine?: number;
  entry: number;
  segments: SegmentSpec[];
  fileSize?: number;
  phoff?: number;
}

export const PF_X = 1;
export const PF_W = 2;
export const PF_R = 4;

export function buildElf(spec: ElfSpec): Uint8Array {
  const phoff = spec.phoff ?? 64;
  const tableEnd = phoff + spec.segments.length * 56;
  const contentEnd = Math.max(tableEnd, ...spec.segments.map((segment) => segment.offset + segment.fileSize));
  const bytes = new Uint8Array(spec.fileSize ?? contentEnd);
  const view = new DataView(bytes.buffer);
  bytes.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
  view.setUint16(16, spec.type ?? 2, true);
  view.setUint16(18, spec.machine ?? 62, true);
  view.setUint32(20, 1, true);
  view.setBigUint64(24, BigInt(spec.entry), true);
  view.setBigUint64(32, BigInt(phoff), true);
  view.setUint16(52, 64, true);
  view.setUint16(54, 56, true);
  view.setUint16(56, spec.segments.length, true);
  spec.segments.forEach((segment, index) => {
    const at = phoff + index * 56;
    if (at + 56 > bytes.length) return;
    view.setUint32(at, segment.type ?? 1, true);
    view.setUint32(at + 4, segment.flags, true);
    view.setBigUint64(at + 8, BigInt(segment.offset), true);
    view.setBigUint64(at + 16, BigInt(segment.vaddr), true);
    view.setBigUint64(at + 24, BigInt(segment.vaddr), true);
    view.setBigUint64(at + 32, BigInt(segment.fileSize), true);
    view.setBigUint64(at + 40, BigInt(segment.memSize), true);
    view.setBigUint64(at + 48, BigInt(segment.align ?? 0x1000), true);
  });
  return bytes;
}

/** A typical static executable: headers+rodata, text, data+bss. */
export function typicalStatic(): ElfSpec {
  return {
    entry: 0x401010,
    segments: [
      { flags: PF_R, offset: 0, vaddr: 0x400000, fileSize: 0x200, memSize: 0x200 },
      { flags: PF_R | PF_X, offset: 0x1000, vaddr: 0x401000, fileSize: 0x80, memSize: 0x80 },
      { flags: PF_R | PF_W, offset: 0x2f00, vaddr: 0x402f00, fileSize: 0x150, memSize: 0x2000 },
      { type: 7, flags: PF_R, offset: 0x2f00, vaddr: 0x402f00, fileSize: 0x10, memSize: 0x40, align: 8 },
      { type: 0x6474e551, flags: PF_R | PF_W, offset: 0, vaddr: 0, fileSize: 0, memSize: 0, align: 16 },
    ],
  };
}
