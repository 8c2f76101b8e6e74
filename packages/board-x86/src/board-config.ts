/**
 * How a board is configured: what `createBoard` accepts. Every field has a default, so
 * `createBoard({})` is a 512 MiB machine with a serial console on the host terminal, a host
 * clock, and no disks or network.
 */

import type { CoreFactory } from "./cpu-system.ts";
import type { ConsoleInput, ConsoleOutput } from "./host/host-terminal.ts";

export interface DiskConfig {
  /** Host file backing the virtio-blk device (its size is the disk's capacity). */
  readonly path: string;
  readonly readOnly?: boolean;
}

/** A host TCP port forwarded to a guest TCP port (the guest listens, the host connects). */
export interface PortForward {
  readonly hostPort: number;
  readonly guestPort: number;
  /** Host address to listen on; default 127.0.0.1. */
  readonly hostAddress?: string;
}

export interface NetworkConfig {
  /** Inbound forwards: host connections to `hostPort` reach the guest's `guestPort`. */
  readonly forwards?: readonly PortForward[];
  /**
   * Host that guest connections to the gateway address 10.0.2.2 reach; default 127.0.0.1.
   * Connections to any other address are refused (the board is not a router to the world).
   */
  readonly hostAddress?: string;
  /** The guest's MAC address; default 52:54:00:12:34:56. */
  readonly mac?: readonly number[];
}

export interface ConsoleConfig {
  /** Default: process.stdin (raw mode when it is a TTY). `null` = no input. */
  readonly input?: ConsoleInput | null;
  /** Default: process.stdout. */
  readonly output?: ConsoleOutput;
  /** Which device receives host input: the 16550 UART (default) or virtio-console. */
  readonly device?: "uart" | "virtio";
}

export interface BoardConfig {
  /** Bytes of RAM; default 512 MiB. */
  readonly memorySize?: number;
  readonly commandLine?: string;
  /** The initramfs (cpio newc): its bytes, or a host path. */
  readonly initramfs?: Uint8Array | string;
  /** "host" (default) follows host time; "deterministic" derives time from instructions. */
  readonly clock?: "host" | "deterministic";
  /** Wall-clock time at power-on in deterministic mode (ns since the epoch). */
  readonly epochNs?: number;
  readonly console?: ConsoleConfig;
  readonly disks?: readonly DiskConfig[];
  /** Enables virtio-net with its user-mode NAT backend. */
  readonly network?: NetworkConfig;
  /** Board diagnostics (device errors); default: a line on stderr. */
  readonly log?: (message: string) => void;
  /** The execution core; default: the board's x86-64 core (src/cpu). */
  readonly createCore?: CoreFactory;
  /**
   * Runs of a basic block before the default core translates it to JavaScript (default 256,
   * see docs/cpu.md): 1 translates every block on its first run, `Infinity` keeps the
   * interpreter alone. For differential testing and for measuring; results are the same.
   */
  readonly compileThreshold?: number;
}
