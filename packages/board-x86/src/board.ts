/**
 * The board: assembles RAM, CPU, MMU, interrupt controllers, clock, legacy devices, PCI and
 * virtio devices and the IOMMU into one `Machine`, then loads a kernel image and runs it
 * until power-off. This is the only file that knows how the parts are wired together:
 * which IRQ pin each device drives, which port or MMIO window it answers, which PCI slot
 * it sits in (all listed in the README).
 */

import { readFileSync } from "node:fs";
import { BoardError } from "./board-error.ts";
import type { BoardConfig } from "./board-config.ts";
import { BoardMmioBus, BoardPortBus, type RegisterWindow } from "./buses.ts";
import { SystemCpu, type CoreFactory } from "./cpu-system.ts";
import { CmosRtc } from "./devices/cmos-rtc.ts";
import { Uart16550 } from "./devices/uart-16550.ts";
import { HostTerminal, ESCAPE_EXIT_CODE } from "./host/host-terminal.ts";
import { HostWakeup } from "./host/host-wakeup.ts";
import { IoApic, type IrqLine } from "./interrupts/io-apic.ts";
import { LocalApic } from "./interrupts/local-apic.ts";
import { BoardIommu, type DmaPort } from "./iommu/iommu.ts";
import { DEFAULT_MEMORY_SIZE, loadBootMemory } from "./loader/boot-memory.ts";
import { loadImage } from "./loader/image-loader.ts";
import { BoardLayout, type ImageEntry, type Machine } from "./machine.ts";
import { Mmu } from "./mmu/mmu.ts";
import { PciBus } from "./pci/pci-bus.ts";
import { PciFunction } from "./pci/pci-function.ts";
import { BoardClock } from "./time/board-clock.ts";
import { VirtioBlk } from "./virtio/virtio-blk.ts";
import { VirtioConsole } from "./virtio/virtio-console.ts";
import { VirtioNet } from "./virtio/net/virtio-net.ts";
import type { VirtioBackend } from "./virtio/virtio-backend.ts";
import { VirtioPciDevice } from "./virtio/virtio-pci.ts";
import { X86Core } from "./cpu/index.ts";

/** ISA IRQs (I/O APIC pins) of the legacy devices (the RTC raises no interrupt). */
export const IsaIrq = { Com1: 4 } as const;
/** The first I/O APIC pin used by PCI devices: the device in slot n uses pin 15 + n. */
export const PCI_IRQ_BASE = 16;
const MAX_PCI_DEVICES = 8;
const POWER_OFF_PORT_WIDTH = 4;

/** The board's own x86-64 core, translating blocks after `compileThreshold` runs (its default if undefined). */
function defaultCore(compileThreshold: number | undefined): CoreFactory {
  if (compileThreshold !== undefined && !(compileThreshold >= 1)) {
    throw new BoardError(`compileThreshold must be at least 1 (Infinity: never translate), not ${String(compileThreshold)}`);
  }
  return (ram, mmu, platform) => new X86Core(ram, mmu, platform, compileThreshold === undefined ? {} : { compileThreshold });
}


export interface Board {
  readonly machine: Machine;
  /** Loads the image and runs it; resolves with the exit code passed to power-off. */
  run(image: string | ImageEntry): Promise<number>;
}

export function createBoard(config: BoardConfig = {}): Board {
  return new AssembledBoard(config);
}

class AssembledBoard implements Board {
  readonly machine: Machine;
  private readonly terminal: HostTerminal;
  private readonly wakeup = new HostWakeup();
  private readonly closers: (() => void)[] = [];
  private readonly hasNetwork: boolean;
  private poweredOff = false;
  private exitCode = 0;
  private resolveExit: ((code: number) => void) | undefined;

  constructor(config: BoardConfig) {
    this.hasNetwork = config.network !== undefined;
    const log = config.log ?? ((message: string) => { process.stderr.write(`[board] ${message}\n`); });
    const memory = loadBootMemory({
      memorySize: config.memorySize ?? DEFAULT_MEMORY_SIZE,
      commandLine: config.commandLine ?? "",
      initramfs: readInitramfs(config.initramfs),
    });
    let retired = (): number => 0;
    const clock = new BoardClock({
      deterministic: config.clock === "deterministic",
      instructionsRetired: () => retired(),
      ...(config.epochNs === undefined ? {} : { epochNs: config.epochNs }),
    });
    const now = (): number => clock.monotonicNs();
    const apic = new LocalApic(now);
    const ioApic = new IoApic((vector, level) => { apic.raise(vector, level); });
    apic.onEoi = (vector) => { ioApic.endOfInterrupt(vector); };
    const irq = (pin: number): IrqLine => {
      const line = ioApic.line(pin);
      return { set: (high) => { line.set(high); if (high) this.wakeup.signal(); } };
    };

    const consoleConfig = config.console ?? {};
    const output = consoleConfig.output ?? process.stdout;
    let deliverInput: (bytes: Uint8Array) => void = () => undefined;
    let endInput: () => void = () => undefined;
    this.terminal = new HostTerminal(
      consoleConfig.input === null ? undefined : (consoleConfig.input ?? process.stdin),
      output,
      (bytes) => { deliverInput(bytes); this.wakeup.signal(); },
      () => { this.powerOff(ESCAPE_EXIT_CODE); },
      () => { endInput(); this.wakeup.signal(); },
    );
    const uart = new Uart16550(irq(IsaIrq.Com1), (byte) => { this.terminal.writeByte(byte); });
    const rtc = new CmosRtc(() => clock.realtimeNs());

    const iommu = new BoardIommu(memory.bytes);
    const pci = new PciBus();
    pci.attach(0, new PciFunction({
      vendorId: 0x8086, deviceId: 0x29c0, revision: 0, classCode: 0x06_0000,
      subsystemVendorId: 0x1af4, subsystemId: 0x1100, interruptPin: 0,
    }));
    let slot = 1;
    const plug = (create: (dma: DmaPort) => VirtioBackend): void => {
      if (slot > MAX_PCI_DEVICES) throw new BoardError(`at most ${String(MAX_PCI_DEVICES)} PCI devices are supported`);
      const dma = iommu.port(PciBus.requesterId(slot));
      const device = new VirtioPciDevice(create(dma), dma, irq(PCI_IRQ_BASE + slot - 1), log);
      device.writeConfig(0x3c, 1, PCI_IRQ_BASE + slot - 1);
      pci.attach(slot, device);
      slot++;
    };
    try {
      for (const disk of config.disks ?? []) {
        plug((dma) => {
          const blk = new VirtioBlk(disk, dma, log);
          this.closers.push(() => { blk.close(); });
          return blk;
        });
      }
      if (config.network !== undefined) {
        const network = config.network;
        plug((dma) => {
          const net = new VirtioNet(network, dma, log, () => { this.wakeup.signal(); });
          this.closers.push(() => { net.close(); });
          return net;
        });
      }
      plug((dma) => {
        const virtioConsole = new VirtioConsole(dma, (bytes) => { this.terminal.writeBytes(bytes); });
        if (consoleConfig.device === "virtio") deliverInput = (bytes) => { virtioConsole.receive(bytes); };
        return virtioConsole;
      });
      if (consoleConfig.device !== "virtio") {
        deliverInput = (bytes) => { uart.receive(bytes); };
        endInput = () => { uart.endOfInput(); };
      }
    } catch (error) {
      // A later device failed (e.g. a missing disk file): release the host files already opened.
      this.shutDown();
      throw error;
    }

    const ports = new BoardPortBus();
    ports.map(BoardLayout.com1Port, 8, registerWindow(uart));
    ports.map(BoardLayout.cmosPort, 2, registerWindow(rtc));
    ports.map(BoardLayout.pciConfigAddressPort, 8, {
      read: (offset, size) => pci.readPort(BoardLayout.pciConfigAddressPort + offset, size),
      write: (offset, size, value) => { pci.writePort(BoardLayout.pciConfigAddressPort + offset, size, value); },
    });
    ports.map(BoardLayout.powerOffPort, POWER_OFF_PORT_WIDTH, {
      read: () => 0,
      write: (_offset, _size, value) => { this.powerOff(value >>> 0); },
    });
    const mmio = new BoardMmioBus(registerWindow(apic), registerWindow(ioApic), (address) => {
      const hit = pci.decode(address);
      return hit === undefined ? undefined : { window: hit.handler, offset: hit.offset };
    });

    const mmu = new Mmu(memory.bytes);
    // Built even when a core is supplied, so that a bad compileThreshold is always an error.
    const boardCore = defaultCore(config.compileThreshold);
    const cpu = new SystemCpu({
      ram: memory.bytes,
      mmu,
      apic,
      now,
      advanceTimers: () => { apic.advance(); },
      createCore: config.createCore ?? boardCore,
    });
    retired = () => cpu.instructionsRetired;

    this.machine = {
      memory,
      cpu,
      ports,
      mmio,
      iommu,
      clock,
      bootInfoAddress: memory.bootInfoAddress,
      halt: () => this.halt(cpu, apic, clock),
      pollHost: () => (this.poweredOff ? never() : new Promise((resolve) => { setImmediate(resolve); })),
      powerOff: (exitCode: number) => { this.powerOff(exitCode); },
    };
  }

  async run(image: string | ImageEntry): Promise<number> {
    const entry = await loadImage(image);
    const exited = new Promise<number>((resolve) => {
      this.resolveExit = resolve;
      if (this.poweredOff) resolve(this.exitCode);
    });
    this.terminal.start();
    try {
      const booted = entry(this.machine).then(() => {
        if (!this.poweredOff) throw new BoardError("the kernel image's boot() returned without powering the board off");
        return exited;
      });
      return await Promise.race([exited, booted]);
    } finally {
      this.shutDown();
    }
  }

  private async halt(cpu: SystemCpu, apic: LocalApic, clock: BoardClock): Promise<void> {
    for (;;) {
      if (this.poweredOff) return never();
      if (cpu.interruptPending) return;
      const deadline = apic.nextDeadline();
      if (clock.deterministic && deadline !== Infinity) {
        clock.skipTo(deadline);
        continue;
      }
      if (deadline === Infinity && !this.terminal.hasInput && !this.hasNetwork) {
        throw new BoardError("HLT would sleep forever: no timer is armed and no host input or network can raise an interrupt");
      }
      const waitMs = deadline === Infinity ? Infinity : (deadline - clock.monotonicNs()) / 1e6;
      await this.wakeup.sleep(waitMs);
    }
  }

  private powerOff(exitCode: number): void {
    if (this.poweredOff) return;
    this.poweredOff = true;
    this.exitCode = exitCode;
    this.shutDown();
    this.wakeup.signal();
    this.resolveExit?.(exitCode);
  }

  private shutDown(): void {
    this.terminal.stop();
    for (const close of this.closers.splice(0)) close();
  }
}

/** A device whose registers ignore the access size (8-bit UART/RTC ports, 32-bit APIC registers). */
interface SizelessRegisters {
  read(offset: number): number;
  write(offset: number, value: number): void;
}

function registerWindow(device: SizelessRegisters): RegisterWindow {
  return { read: (offset) => device.read(offset), write: (offset, _size, value) => { device.write(offset, value); } };
}

function readInitramfs(initramfs: Uint8Array | string | undefined): Uint8Array | undefined {
  if (typeof initramfs !== "string") return initramfs;
  try {
    return new Uint8Array(readFileSync(initramfs));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new BoardError(`cannot read initramfs "${initramfs}": ${reason}`);
  }
}

/** A promise that never settles: what HLT returns once the board is off. */
function never(): Promise<never> {
  return new Promise<never>(() => undefined);
}
