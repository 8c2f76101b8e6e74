import { createServer, connect, type AddressInfo, type Server } from "node:net";
import { describe, expect, it } from "vitest";
import type { Machine } from "../../src/machine.ts";
import { EtherType, IpProtocol, TcpFlag, buildTcpFrame, ipv4, u16, u32 } from "../../src/virtio/net/packet.ts";
import { GATEWAY_IP, GATEWAY_MAC, GUEST_IP } from "../../src/virtio/net/user-nat.ts";
import { NET_HEADER_SIZE } from "../../src/virtio/net/virtio-net.ts";
import { DeviceStatus } from "../../src/virtio/virtio-backend.ts";
import { testBoard } from "../support/test-board.ts";
import { TestVirtioDriver } from "../support/virtio-driver.ts";

const GUEST_MAC = Uint8Array.of(0x52, 0x54, 0x00, 0x12, 0x34, 0x56);
const RX = 0x40_0000;
const TX = 0x48_0000;
const RX_BUFFERS = 16;
const BUFFER = 2048;

interface TcpView {
  readonly sourcePort: number;
  readonly destinationPort: number;
  readonly sequence: number;
  readonly acknowledgement: number;
  readonly flags: number;
  readonly payload: Uint8Array;
}

/** The guest side of the link: a virtio-net driver plus just enough TCP to test the NAT. */
class NetGuest {
  readonly frames: Uint8Array[] = [];
  private readonly driver: TestVirtioDriver;
  private readonly machine: Machine;
  private txSlot = 0;

  constructor(machine: Machine) {
    this.machine = machine;
    this.driver = new TestVirtioDriver(machine, 1);
    expect(this.driver.config(0x02, 2)).toBe(0x1041);
    expect(this.driver.negotiate(1 << 5) & DeviceStatus.FeaturesOk).toBe(DeviceStatus.FeaturesOk);
    expect(Array.from({ length: 6 }, (_, i) => machine.mmio.read(this.driver.deviceBase + i, 1))).toEqual(Array.from(GUEST_MAC));
    this.driver.setupQueue(0, RX_BUFFERS, 0x20_0000);
    this.driver.setupQueue(1, 16, 0x21_0000);
    machine.iommu.map(this.driver.requester, RX, (RX_BUFFERS * BUFFER) / 4096, true);
    machine.iommu.map(this.driver.requester, TX, 8, false);
    this.driver.driverOk();
    for (let i = 0; i < RX_BUFFERS; i++) this.driver.post(0, [{ address: RX + i * BUFFER, length: BUFFER, write: true }]);
    this.driver.notify(0);
  }

  send(frame: Uint8Array): void {
    const at = TX + (this.txSlot++ % 8) * 4096;
    this.machine.memory.bytes.fill(0, at, at + NET_HEADER_SIZE);
    this.machine.memory.bytes.set(frame, at + NET_HEADER_SIZE);
    this.driver.submit(1, [{ address: at, length: NET_HEADER_SIZE + frame.length, write: false }]);
  }

  sendTcp(destinationPort: number, sourcePort: number, sequence: number, acknowledgement: number, flags: number, payload = new Uint8Array(0)): void {
    this.send(buildTcpFrame(GATEWAY_MAC, GUEST_MAC, GUEST_IP, GATEWAY_IP, {
      sourcePort, destinationPort, sequence, acknowledgement, flags, window: 65535, payload,
    }));
  }

  /** Collects received frames and reposts their buffers. */
  poll(): void {
    for (const used of this.driver.takeUsed(0)) {
      const at = RX + used.id * BUFFER;
      this.frames.push(this.machine.memory.bytes.slice(at + NET_HEADER_SIZE, at + used.length));
      this.driver.post(0, [{ address: at, length: BUFFER, write: true }]);
    }
    this.driver.notify(0);
  }

  async waitTcp(match: (segment: TcpView) => boolean): Promise<TcpView> {
    for (let attempt = 0; attempt < 400; attempt++) {
      this.poll();
      const index = this.frames.findIndex((frame) => {
        const segment = parseTcp(frame);
        return segment !== undefined && match(segment);
      });
      const frame = this.frames[index];
      if (frame !== undefined) {
        this.frames.splice(index, 1);
        const segment = parseTcp(frame);
        if (segment !== undefined) return segment;
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    throw new Error("no matching TCP segment from the NAT");
  }
}

function parseTcp(frame: Uint8Array): TcpView | undefined {
  if (u16(frame, 12) !== EtherType.Ipv4 || frame[23] !== IpProtocol.Tcp) return undefined;
  const tcp = 14 + ((frame[14] ?? 0) & 0xf) * 4;
  const end = 14 + u16(frame, 16);
  const dataOffset = ((frame[tcp + 12] ?? 0) >>> 4) * 4;
  return {
    sourcePort: u16(frame, tcp),
    destinationPort: u16(frame, tcp + 2),
    sequence: u32(frame, tcp + 4),
    acknowledgement: u32(frame, tcp + 8),
    flags: frame[tcp + 13] ?? 0,
    payload: frame.slice(tcp + dataOffset, end),
  };
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return (address satisfies AddressInfo).port;
}

async function withGuest(config: Parameters<typeof testBoard>[0], body: (guest: NetGuest) => Promise<void> | void): Promise<void> {
  const harness = testBoard(config);
  await harness.board.run(async (machine) => {
    try {
      await body(new NetGuest(machine));
    } finally {
      machine.powerOff(0);
    }
  });
}

describe("virtio-net with the user-mode NAT", () => {
  it("answers ARP for the gateway and ICMP echo", async () => {
    await withGuest({ network: {} }, (guest) => {
      const arp = new Uint8Array(42);
      arp.fill(0xff, 0, 6);
      arp.set(GUEST_MAC, 6);
      arp.set([0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 1], 12);
      arp.set(GUEST_MAC, 22);
      arp.set([10, 0, 2, 15], 28);
      arp.set([10, 0, 2, 2], 38);
      guest.send(arp);
      guest.poll();
      const reply = guest.frames.shift();
      expect(reply?.subarray(0, 6)).toEqual(GUEST_MAC);
      expect(u16(reply ?? new Uint8Array(0), 20)).toBe(2);
      expect(reply?.subarray(22, 28)).toEqual(GATEWAY_MAC);
      expect(u32(reply ?? new Uint8Array(0), 28)).toBe(ipv4(10, 0, 2, 2));

      const ping = new Uint8Array(14 + 20 + 12);
      ping.set(GATEWAY_MAC, 0);
      ping.set(GUEST_MAC, 6);
      ping.set([0x08, 0x00, 0x45, 0, 0, 32, 0, 0, 0x40, 0, 64, 1, 0, 0, 10, 0, 2, 15, 10, 0, 2, 2], 12);
      let sum = 0;
      for (let i = 14; i < 34; i += 2) sum += u16(ping, i);
      while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
      ping[24] = (~sum >>> 8) & 0xff;
      ping[25] = ~sum & 0xff;
      ping.set([8, 0, 0xf7, 0xfe, 0, 1, 0, 0], 34);
      guest.send(ping);
      guest.poll();
      const pong = guest.frames.shift();
      expect(pong?.[23]).toBe(IpProtocol.Icmp);
      expect(pong?.[34]).toBe(0);
    });
  });

  it("lets the guest connect to a host TCP port through the gateway", async () => {
    let hostReceived = "";
    const server = createServer((socket) => {
      socket.on("data", (data) => {
        hostReceived += data.toString();
        socket.end("pong");
      });
    });
    const port = await listen(server);
    try {
      await withGuest({ network: {} }, async (guest) => {
        guest.sendTcp(port, 5555, 1000, 0, TcpFlag.Syn);
        const synAck = await guest.waitTcp((s) => (s.flags & TcpFlag.Syn) !== 0);
        expect(synAck.flags & TcpFlag.Ack).toBe(TcpFlag.Ack);
        expect(synAck.acknowledgement).toBe(1001);
        let ours = synAck.sequence + 1;
        guest.sendTcp(port, 5555, 1001, ours, TcpFlag.Ack | TcpFlag.Psh, new TextEncoder().encode("ping"));
        const data = await guest.waitTcp((s) => s.payload.length > 0);
        expect(new TextDecoder().decode(data.payload)).toBe("pong");
        ours = data.sequence + data.payload.length;
        const fin = await guest.waitTcp((s) => (s.flags & TcpFlag.Fin) !== 0);
        expect(fin.sequence).toBe(ours);
        guest.sendTcp(port, 5555, 1005, ours + 1, TcpFlag.Ack | TcpFlag.Fin);
        await guest.waitTcp((s) => s.acknowledgement === 1006);
      });
    } finally {
      server.close();
    }
    expect(hostReceived).toBe("ping");
  });

  it("refuses a connection to a closed host port with RST", async () => {
    const server = createServer();
    const port = await listen(server);
    server.close();
    await withGuest({ network: {} }, async (guest) => {
      guest.sendTcp(port, 6000, 1, 0, TcpFlag.Syn);
      const reset = await guest.waitTcp((s) => (s.flags & TcpFlag.Rst) !== 0);
      expect(reset.acknowledgement).toBe(2);
    });
  });

  it("forwards a host port to a guest listening port", async () => {
    const probe = createServer();
    const hostPort = await listen(probe);
    await new Promise((resolve) => probe.close(resolve));
    await withGuest({ network: { forwards: [{ hostPort, guestPort: 8080 }] } }, async (guest) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      const client = connect(hostPort, "127.0.0.1");
      let clientReceived = "";
      client.on("data", (data) => { clientReceived += data.toString(); });
      const syn = await guest.waitTcp((s) => (s.flags & TcpFlag.Syn) !== 0);
      expect(syn.destinationPort).toBe(8080);
      guest.sendTcp(syn.sourcePort, 8080, 9000, syn.sequence + 1, TcpFlag.Syn | TcpFlag.Ack);
      await guest.waitTcp((s) => s.acknowledgement === 9001);
      client.write("GET /");
      const request = await guest.waitTcp((s) => s.payload.length > 0);
      expect(new TextDecoder().decode(request.payload)).toBe("GET /");
      guest.sendTcp(syn.sourcePort, 8080, 9001, request.sequence + 5, TcpFlag.Ack | TcpFlag.Psh, new TextEncoder().encode("200 OK"));
      for (let i = 0; i < 100 && clientReceived === ""; i++) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(clientReceived).toBe("200 OK");
      client.destroy();
    });
  });

  it("drops malformed frames without a host error", async () => {
    await withGuest({ network: {} }, (guest) => {
      guest.send(new Uint8Array(5));
      guest.send(Uint8Array.of(...new Uint8Array(12), 0x08, 0x00, 0x45, 0, 0xff, 0xff));
      guest.send(Uint8Array.of(...new Uint8Array(12), 0x08, 0x06, 1, 2, 3));
      guest.poll();
      expect(guest.frames).toEqual([]);
    });
  });
});
