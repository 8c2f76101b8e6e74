/**
 * Byte-level helpers for the user-mode NAT: big-endian field access, the Internet checksum
 * (RFC 1071), and builders for the Ethernet, IPv4 and TCP headers the NAT sends to the guest.
 * Parsing is defensive: every reader checks lengths, so a malformed frame from the guest is
 * dropped, never a host exception.
 */

export const EtherType = { Ipv4: 0x0800, Arp: 0x0806 } as const;
export const IpProtocol = { Icmp: 1, Tcp: 6 } as const;
export const TcpFlag = { Fin: 0x01, Syn: 0x02, Rst: 0x04, Psh: 0x08, Ack: 0x10 } as const;

export const ETHERNET_HEADER = 14;
export const IPV4_HEADER = 20;
export const TCP_HEADER = 20;

export function u16(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset] ?? 0) << 8) | (bytes[offset + 1] ?? 0);
}

export function u32(bytes: Uint8Array, offset: number): number {
  return ((u16(bytes, offset) << 16) | u16(bytes, offset + 2)) >>> 0;
}

export function put16(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = (value >>> 8) & 0xff;
  bytes[offset + 1] = value & 0xff;
}

export function put32(bytes: Uint8Array, offset: number, value: number): void {
  put16(bytes, offset, value >>> 16);
  put16(bytes, offset + 2, value & 0xffff);
}

/** One's-complement sum of 16-bit words (not yet folded or inverted). */
export function onesSum(bytes: Uint8Array, start: number, end: number, initial = 0): number {
  let sum = initial;
  for (let i = start; i + 1 < end; i += 2) sum += u16(bytes, i);
  if ((end - start) % 2 === 1) sum += (bytes[end - 1] ?? 0) << 8;
  return sum;
}

export function foldChecksum(sum: number): number {
  let folded = sum;
  while (folded > 0xffff) folded = (folded & 0xffff) + Math.floor(folded / 0x10000);
  return ~folded & 0xffff;
}

/** An IPv4 address as a 32-bit number, e.g. 10.0.2.2 -> 0x0a000202. */
export function ipv4(a: number, b: number, c: number, d: number): number {
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

/** Writes an Ethernet header and returns the offset of the payload. */
export function writeEthernet(frame: Uint8Array, destination: Uint8Array, source: Uint8Array, etherType: number): number {
  frame.set(destination.subarray(0, 6), 0);
  frame.set(source.subarray(0, 6), 6);
  put16(frame, 12, etherType);
  return ETHERNET_HEADER;
}

/** Writes an IPv4 header (no options) with its checksum at `offset`. */
export function writeIpv4(frame: Uint8Array, offset: number, protocol: number, source: number, destination: number, payloadLength: number): void {
  frame[offset] = 0x45;
  frame[offset + 1] = 0;
  put16(frame, offset + 2, IPV4_HEADER + payloadLength);
  put16(frame, offset + 4, 0);
  put16(frame, offset + 6, 0x4000);
  frame[offset + 8] = 64;
  frame[offset + 9] = protocol;
  put16(frame, offset + 10, 0);
  put32(frame, offset + 12, source);
  put32(frame, offset + 16, destination);
  put16(frame, offset + 10, foldChecksum(onesSum(frame, offset, offset + IPV4_HEADER)));
}

export interface TcpSegment {
  readonly sourcePort: number;
  readonly destinationPort: number;
  readonly sequence: number;
  readonly acknowledgement: number;
  readonly flags: number;
  readonly window: number;
  readonly payload: Uint8Array;
  /** Adds the MSS option (SYN segments). */
  readonly mss?: number;
}

/** Builds a complete Ethernet + IPv4 + TCP frame with both checksums. */
export function buildTcpFrame(
  destinationMac: Uint8Array,
  sourceMac: Uint8Array,
  sourceIp: number,
  destinationIp: number,
  segment: TcpSegment,
): Uint8Array {
  const optionLength = segment.mss === undefined ? 0 : 4;
  const tcpLength = TCP_HEADER + optionLength + segment.payload.length;
  const frame = new Uint8Array(ETHERNET_HEADER + IPV4_HEADER + tcpLength);
  const ip = writeEthernet(frame, destinationMac, sourceMac, EtherType.Ipv4);
  writeIpv4(frame, ip, IpProtocol.Tcp, sourceIp, destinationIp, tcpLength);
  const tcp = ip + IPV4_HEADER;
  put16(frame, tcp, segment.sourcePort);
  put16(frame, tcp + 2, segment.destinationPort);
  put32(frame, tcp + 4, segment.sequence);
  put32(frame, tcp + 8, segment.acknowledgement);
  frame[tcp + 12] = ((TCP_HEADER + optionLength) / 4) << 4;
  frame[tcp + 13] = segment.flags;
  put16(frame, tcp + 14, segment.window);
  if (segment.mss !== undefined) {
    frame[tcp + 20] = 2;
    frame[tcp + 21] = 4;
    put16(frame, tcp + 22, segment.mss);
  }
  frame.set(segment.payload, tcp + TCP_HEADER + optionLength);
  let pseudo = (sourceIp >>> 16) + (sourceIp & 0xffff) + (destinationIp >>> 16) + (destinationIp & 0xffff);
  pseudo += IpProtocol.Tcp + tcpLength;
  put16(frame, tcp + 16, foldChecksum(onesSum(frame, tcp, tcp + tcpLength, pseudo)));
  return frame;
}
