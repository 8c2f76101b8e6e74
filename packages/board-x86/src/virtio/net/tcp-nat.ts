/**
 * The TCP half of the user-mode NAT: it terminates the guest's TCP connections at the
 * gateway address and splices each one to a host socket, like QEMU's slirp.
 *
 * - Outbound: a guest SYN to 10.0.2.2:P makes the NAT connect to the configured host at
 *   port P; the guest gets SYN-ACK when the host accepts, or RST when it refuses.
 * - Inbound: for each port forward the NAT listens on the host; a host connection makes it
 *   send a SYN to the guest's port from 10.0.2.2 and an ephemeral port, and the host socket
 *   is resumed once the guest completes the handshake.
 *
 * The link to the guest is lossless (frames wait in the device until the guest posts
 * receive buffers), so the NAT never retransmits. It honours the guest's receive window,
 * pauses a host socket whose data the guest is not consuming, and turns host errors into
 * RST segments. Segments it does not expect get an ACK of what it has, or are dropped.
 */

import { createServer, connect, type Server, type Socket } from "node:net";
import { TcpFlag, u16, u32, type TcpSegment } from "./packet.ts";

const MSS = 1460;
const OUR_WINDOW = 65535;
const HOST_BACKLOG_LIMIT = 256 * 1024;
const FIRST_EPHEMERAL_PORT = 40000;

export interface TcpNatEndpoints {
  /** Sends a segment to the guest, from the gateway address. */
  readonly send: (segment: TcpSegment) => void;
  /** Host address guest connections reach. */
  readonly hostAddress: string;
  readonly log: (message: string) => void;
  /** A host event happened (the board should wake up from HLT). */
  readonly activity: () => void;
}

interface Connection {
  readonly guestPort: number;
  readonly gatewayPort: number;
  socket: Socket | undefined;
  established: boolean;
  sendUnacked: number;
  sendNext: number;
  receiveNext: number;
  guestWindow: number;
  outbox: Uint8Array[];
  outboxBytes: number;
  hostEnded: boolean;
  finSent: boolean;
  guestFinished: boolean;
}

export interface ForwardSpec {
  readonly hostPort: number;
  readonly guestPort: number;
  readonly hostAddress?: string;
}

export class TcpNat {
  private readonly endpoints: TcpNatEndpoints;
  private readonly connections = new Map<string, Connection>();
  private readonly servers: Server[] = [];
  private nextEphemeral = FIRST_EPHEMERAL_PORT;
  private nextInitialSequence = 0x1000_0000;

  constructor(endpoints: TcpNatEndpoints) {
    this.endpoints = endpoints;
  }

  /** Starts listening on the host for each forward. */
  listen(forwards: readonly ForwardSpec[]): void {
    for (const forward of forwards) {
      const server = createServer((socket) => { this.acceptInbound(socket, forward.guestPort); });
      server.on("error", (error) => { this.endpoints.log(`net: port forward ${String(forward.hostPort)}: ${error.message}`); });
      server.listen(forward.hostPort, forward.hostAddress ?? "127.0.0.1");
      this.servers.push(server);
    }
  }

  close(): void {
    for (const server of this.servers.splice(0)) server.close();
    for (const connection of this.connections.values()) connection.socket?.destroy();
    this.connections.clear();
  }

  /** A TCP segment from the guest to the gateway (`segment` starts at the TCP header). */
  handleSegment(segment: Uint8Array): void {
    if (segment.length < 20) return;
    const guestPort = u16(segment, 0);
    const gatewayPort = u16(segment, 2);
    const sequence = u32(segment, 4);
    const acknowledgement = u32(segment, 8);
    const headerLength = ((segment[12] ?? 0) >>> 4) * 4;
    const flags = segment[13] ?? 0;
    const window = u16(segment, 14);
    if (headerLength < 20 || headerLength > segment.length) return;
    const payload = segment.subarray(headerLength);
    const connection = this.connections.get(key(guestPort, gatewayPort));
    if (connection === undefined) {
      if ((flags & TcpFlag.Syn) !== 0 && (flags & TcpFlag.Ack) === 0) this.openOutbound(guestPort, gatewayPort, sequence, window);
      else if ((flags & TcpFlag.Rst) === 0) this.reset(guestPort, gatewayPort, acknowledgement, add(sequence, payload.length + ((flags & TcpFlag.Syn) !== 0 ? 1 : 0)));
      return;
    }
    if ((flags & TcpFlag.Rst) !== 0) {
      this.drop(connection);
      return;
    }
    if ((flags & TcpFlag.Syn) !== 0) {
      this.handshakeReply(connection, flags, sequence, acknowledgement, window);
      return;
    }
    if ((flags & TcpFlag.Ack) !== 0) this.acknowledged(connection, acknowledgement, window);
    this.receive(connection, sequence, payload, (flags & TcpFlag.Fin) !== 0);
  }

  private openOutbound(guestPort: number, gatewayPort: number, sequence: number, window: number): void {
    const connection = this.newConnection(guestPort, gatewayPort, window);
    connection.receiveNext = add(sequence, 1);
    const socket = connect({ host: this.endpoints.hostAddress, port: gatewayPort });
    connection.socket = socket;
    socket.on("connect", () => {
      this.sendSegment(connection, TcpFlag.Syn | TcpFlag.Ack, new Uint8Array(0), MSS);
      connection.sendNext = add(connection.sendNext, 1);
      this.endpoints.activity();
    });
    this.wireSocket(connection, socket);
  }

  private acceptInbound(socket: Socket, guestPort: number): void {
    const gatewayPort = this.nextEphemeral;
    this.nextEphemeral = this.nextEphemeral >= 60999 ? FIRST_EPHEMERAL_PORT : this.nextEphemeral + 1;
    const connection = this.newConnection(guestPort, gatewayPort, 0);
    connection.socket = socket;
    socket.pause();
    this.wireSocket(connection, socket);
    this.sendSegment(connection, TcpFlag.Syn, new Uint8Array(0), MSS);
    connection.sendNext = add(connection.sendNext, 1);
    this.endpoints.activity();
  }

  private newConnection(guestPort: number, gatewayPort: number, window: number): Connection {
    const initial = this.nextInitialSequence;
    this.nextInitialSequence = add(this.nextInitialSequence, 0x0100_0000);
    const connection: Connection = {
      guestPort, gatewayPort, socket: undefined, established: false,
      sendUnacked: initial, sendNext: initial, receiveNext: 0, guestWindow: window,
      outbox: [], outboxBytes: 0, hostEnded: false, finSent: false, guestFinished: false,
    };
    this.connections.set(key(guestPort, gatewayPort), connection);
    return connection;
  }

  private wireSocket(connection: Connection, socket: Socket): void {
    socket.on("data", (data: Buffer) => {
      connection.outbox.push(new Uint8Array(data));
      connection.outboxBytes += data.length;
      if (connection.outboxBytes > HOST_BACKLOG_LIMIT) socket.pause();
      this.pump(connection);
      this.endpoints.activity();
    });
    socket.on("end", () => {
      connection.hostEnded = true;
      this.pump(connection);
      this.endpoints.activity();
    });
    socket.on("error", (error) => {
      if (this.connections.get(key(connection.guestPort, connection.gatewayPort)) !== connection) return;
      this.endpoints.log(`net: host side of guest port ${String(connection.guestPort)}: ${error.message}`);
      this.reset(connection.guestPort, connection.gatewayPort, connection.sendNext, connection.receiveNext);
      this.drop(connection);
      this.endpoints.activity();
    });
  }

  /** The guest's SYN-ACK to our SYN (inbound forward), or a repeated SYN. */
  private handshakeReply(connection: Connection, flags: number, sequence: number, acknowledgement: number, window: number): void {
    if ((flags & TcpFlag.Ack) === 0 || connection.established || acknowledgement !== connection.sendNext) return;
    connection.receiveNext = add(sequence, 1);
    connection.sendUnacked = acknowledgement;
    connection.guestWindow = window;
    connection.established = true;
    this.sendSegment(connection, TcpFlag.Ack, new Uint8Array(0));
    connection.socket?.resume();
  }

  private acknowledged(connection: Connection, acknowledgement: number, window: number): void {
    const advance = sub(acknowledgement, connection.sendUnacked);
    if (advance > sub(connection.sendNext, connection.sendUnacked)) return;
    connection.sendUnacked = acknowledgement;
    connection.guestWindow = window;
    connection.established = true;
    if (connection.finSent && connection.guestFinished && acknowledgement === connection.sendNext) {
      this.drop(connection);
      return;
    }
    this.pump(connection);
  }

  private receive(connection: Connection, sequence: number, payload: Uint8Array, fin: boolean): void {
    if (payload.length === 0 && !fin) return;
    if (sequence !== connection.receiveNext) {
      this.sendSegment(connection, TcpFlag.Ack, new Uint8Array(0));
      return;
    }
    if (payload.length > 0) {
      connection.socket?.write(payload.slice());
      connection.receiveNext = add(connection.receiveNext, payload.length);
    }
    if (fin && !connection.guestFinished) {
      connection.guestFinished = true;
      connection.receiveNext = add(connection.receiveNext, 1);
      connection.socket?.end();
    }
    this.sendSegment(connection, TcpFlag.Ack, new Uint8Array(0));
    if (connection.guestFinished && connection.finSent && connection.sendUnacked === connection.sendNext) this.drop(connection);
  }

  /** Sends host data the guest's window allows, then our FIN once the host has ended. */
  private pump(connection: Connection): void {
    if (!connection.established) return;
    for (;;) {
      const inFlight = sub(connection.sendNext, connection.sendUnacked);
      const room = Math.min(MSS, connection.guestWindow - inFlight);
      const head = connection.outbox[0];
      if (head === undefined || room <= 0) break;
      const chunk = head.subarray(0, room);
      if (chunk.length === head.length) connection.outbox.shift();
      else connection.outbox[0] = head.subarray(chunk.length);
      connection.outboxBytes -= chunk.length;
      this.sendSegment(connection, TcpFlag.Ack | TcpFlag.Psh, chunk);
      connection.sendNext = add(connection.sendNext, chunk.length);
    }
    if (connection.outboxBytes <= HOST_BACKLOG_LIMIT / 2 && connection.socket?.isPaused() === true) connection.socket.resume();
    if (connection.outbox.length === 0 && connection.hostEnded && !connection.finSent) {
      this.sendSegment(connection, TcpFlag.Fin | TcpFlag.Ack, new Uint8Array(0));
      connection.sendNext = add(connection.sendNext, 1);
      connection.finSent = true;
    }
  }

  private sendSegment(connection: Connection, flags: number, payload: Uint8Array, mss?: number): void {
    this.endpoints.send({
      sourcePort: connection.gatewayPort,
      destinationPort: connection.guestPort,
      sequence: connection.sendNext,
      acknowledgement: (flags & TcpFlag.Ack) !== 0 ? connection.receiveNext : 0,
      flags,
      window: OUR_WINDOW,
      payload,
      ...(mss === undefined ? {} : { mss }),
    });
  }

  private reset(guestPort: number, gatewayPort: number, sequence: number, acknowledgement: number): void {
    this.endpoints.send({
      sourcePort: gatewayPort, destinationPort: guestPort, sequence, acknowledgement,
      flags: TcpFlag.Rst | TcpFlag.Ack, window: 0, payload: new Uint8Array(0),
    });
  }

  private drop(connection: Connection): void {
    this.connections.delete(key(connection.guestPort, connection.gatewayPort));
    connection.socket?.destroy();
  }
}

function key(guestPort: number, gatewayPort: number): string {
  return `${String(guestPort)}/${String(gatewayPort)}`;
}

function add(sequence: number, amount: number): number {
  return (sequence + amount) >>> 0;
}

function sub(a: number, b: number): number {
  return (a - b) >>> 0;
}
