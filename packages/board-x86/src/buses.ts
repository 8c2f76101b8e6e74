/**
 * The board's two address decoders: port I/O (IN/OUT) and memory-mapped I/O. They are the
 * `ports` and `mmio` members of the `Machine` and route each access to the device that
 * decodes it, at the PC-standard locations listed in `BoardLayout`.
 *
 * Ports nobody decodes read as all-ones and ignore writes, as on a PC, so legacy probing is
 * harmless. An MMIO access that nothing decodes (a hole, RAM, a disabled BAR) is a kernel
 * bug, so it throws a `BoardError` that names the address instead of returning junk.
 */

import { BoardError } from "./board-error.ts";
import { BoardLayout, type MmioBus, type PortBus } from "./machine.ts";

/** A device's register window, addressed by offset from its base. */
export interface RegisterWindow {
  read(offset: number, size: number): number;
  write(offset: number, size: number, value: number): void;
}

interface Mapping {
  readonly base: number;
  readonly length: number;
  readonly window: RegisterWindow;
}

const APIC_WINDOW = 0x1000;

export class BoardPortBus implements PortBus {
  private readonly mappings: Mapping[] = [];

  map(base: number, length: number, window: RegisterWindow): void {
    this.mappings.push({ base, length, window });
  }

  read(port: number, size: 1 | 2 | 4): number {
    const mapping = find(this.mappings, port);
    if (mapping === undefined) return 0xffff_ffff >>> (32 - size * 8);
    return mapping.window.read(port - mapping.base, size);
  }

  write(port: number, size: 1 | 2 | 4, value: number): void {
    const mapping = find(this.mappings, port);
    mapping?.window.write(port - mapping.base, size, value);
  }
}

export class BoardMmioBus implements MmioBus {
  private readonly fixed: Mapping[];
  private readonly decodeDynamic: (address: number) => { window: RegisterWindow; offset: number } | undefined;

  constructor(
    localApic: RegisterWindow,
    ioApic: RegisterWindow,
    decodeDynamic: (address: number) => { window: RegisterWindow; offset: number } | undefined,
  ) {
    this.fixed = [
      { base: BoardLayout.localApicBase, length: APIC_WINDOW, window: localApic },
      { base: BoardLayout.ioApicBase, length: APIC_WINDOW, window: ioApic },
    ];
    this.decodeDynamic = decodeDynamic;
  }

  read(address: number, size: 1 | 2 | 4 | 8): number {
    const target = this.decode(address, size, "read");
    return target.window.read(target.offset, size);
  }

  write(address: number, size: 1 | 2 | 4 | 8, value: number): void {
    const target = this.decode(address, size, "write");
    target.window.write(target.offset, size, value);
  }

  private decode(address: number, size: number, kind: string): { window: RegisterWindow; offset: number } {
    const mapping = find(this.fixed, address);
    if (mapping !== undefined) return { window: mapping.window, offset: address - mapping.base };
    const dynamic = this.decodeDynamic(address);
    if (dynamic !== undefined) return dynamic;
    throw new BoardError(
      `MMIO ${kind} of ${String(size)} bytes at physical address 0x${address.toString(16)}: no device decodes this address`,
    );
  }
}

function find(mappings: readonly Mapping[], address: number): Mapping | undefined {
  return mappings.find((mapping) => address >= mapping.base && address < mapping.base + mapping.length);
}
