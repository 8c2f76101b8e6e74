/**
 * The host-side backend of virtio-net: a tiny user-mode network in the style of QEMU's
 * slirp, so the guest needs no host privileges, TAP device or bridge.
 *
 * The guest sits on 10.0.2.0/24 as 10.0.2.15 (it configures that address itself; there is
 * no DHCP). The gateway 10.0.2.2 answers ARP and ICMP echo, and terminates TCP (tcp-nat.ts),
 * which is how the guest reaches host ports and the host reaches guest ports. Everything
 * else (UDP, other destinations, IPv6) is dropped. Malformed frames are dropped too: the
 * parsers check every length before reading.
 */

import { TcpNat, type ForwardSpec } from "./tcp-nat.ts";
import {
  ETHERNET_HEADER,
  EtherType,
  IPV4_HEADER,
  IpProtocol,
  buildTcpFrame,
  foldChecksum,
  ipv4,
  onesSum,
  put16,
  u16,
  u32,
  writeEthernet,
  writeIpv4,
} from "./packet.ts";

export const GATEWAY_IP = ipv4(10, 0, 2, 2);
export const GUEST_IP = ipv4(10, 0, 2, 15);
export const GATEWAY_MAC = Uint8Array.of(0x52, 0x55, 0x0a, 0x00, 0x02, 0x02);
const ARP_PACKET = 28;
const ArpOperation = { Request: 1, Reply: 2 } as const;
const IcmpType = { EchoReply: 0, EchoRequest: 8 } as const;

export interface UserNatOptions {
  readonly guestMac: Uint8Array;
  readonly hostAddress: string;
  readonly forwards: readonly ForwardSpec[];
  /** Delivers an Ethernet frame to the guest. */
  readonly deliver: (frame: Uint8Array) => void;
  readonly log: (message: string) => void;
  readonly activity: () => void;
}

export class UserNat {
  private readonly options: UserNatOptions;
  private readonly tcp: TcpNat;
  private guestIp = GUEST_IP;

  constructor(options: UserNatOptions) {
    this.options = options;
    this.tcp = new TcpNat({
      send: (segment) => { options.deliver(buildTcpFrame(options.guestMac, GATEWAY_MAC, GATEWAY_IP, this.guestIp, segment)); },
      hostAddress: options.hostAddress,
      log: options.log,
      activity: options.activity,
    });
    this.tcp.listen(options.forwards);
  }

  close(): void {
    this.tcp.close();
  }

  /** An Ethernet frame transmitted by the guest. */
  handleFrame(frame: Uint8Array): void {
    if (frame.length < ETHERNET_HEADER) return;
    const etherType = u16(frame, 12);
    const payload = frame.subarray(ETHERNET_HEADER);
    if (etherType === EtherType.Arp) this.handleArp(payload);
    else if (etherType === EtherType.Ipv4) this.handleIpv4(payload);
  }

  private handleArp(packet: Uint8Array): void {
    if (packet.length < ARP_PACKET || u16(packet, 6) !== ArpOperation.Request) return;
    const senderIp = u32(packet, 14);
    const targetIp = u32(packet, 24);
    if (targetIp !== GATEWAY_IP) return;
    this.guestIp = senderIp;
    const reply = new Uint8Array(ETHERNET_HEADER + ARP_PACKET);
    const arp = writeEthernet(reply, this.options.guestMac, GATEWAY_MAC, EtherType.Arp);
    reply.set(packet.subarray(0, 6), arp);
    put16(reply, arp + 6, ArpOperation.Reply);
    reply.set(GATEWAY_MAC, arp + 8);
    reply.set(packet.subarray(24, 28), arp + 14);
    reply.set(packet.subarray(8, 18), arp + 18);
    this.options.deliver(reply);
  }

  private handleIpv4(packet: Uint8Array): void {
    if (packet.length < IPV4_HEADER || (packet[0] ?? 0) >>> 4 !== 4) return;
    const headerLength = ((packet[0] ?? 0) & 0xf) * 4;
    const totalLength = u16(packet, 2);
    if (headerLength < IPV4_HEADER || totalLength < headerLength || totalLength > packet.length) return;
    if ((u16(packet, 6) & 0x3fff) !== 0) return;
    if (foldChecksum(onesSum(packet, 0, headerLength)) !== 0) return;
    const source = u32(packet, 12);
    const destination = u32(packet, 16);
    if (destination !== GATEWAY_IP) return;
    this.guestIp = source;
    const body = packet.subarray(headerLength, totalLength);
    const protocol = packet[9] ?? 0;
    if (protocol === IpProtocol.Tcp) this.tcp.handleSegment(body);
    else if (protocol === IpProtocol.Icmp) this.handleIcmp(body);
  }

  private handleIcmp(message: Uint8Array): void {
    if (message.length < 8 || message[0] !== IcmpType.EchoRequest) return;
    const frame = new Uint8Array(ETHERNET_HEADER + IPV4_HEADER + message.length);
    const ip = writeEthernet(frame, this.options.guestMac, GATEWAY_MAC, EtherType.Ipv4);
    writeIpv4(frame, ip, IpProtocol.Icmp, GATEWAY_IP, this.guestIp, message.length);
    const icmp = ip + IPV4_HEADER;
    frame.set(message, icmp);
    frame[icmp] = IcmpType.EchoReply;
    put16(frame, icmp + 2, 0);
    put16(frame, icmp + 2, foldChecksum(onesSum(frame, icmp, icmp + message.length)));
    this.options.deliver(frame);
  }
}
