/**
 * Text at the user boundary. Linux passes names and arguments as raw bytes; the kernel keeps
 * them as svc-fs's byte strings (one char per byte, lossless for any byte sequence), and only
 * text that originates in JavaScript (the boot command line, the kernel's own messages)
 * is UTF-8 encoded on the way in. No TextEncoder is needed (or available to a service).
 */

import { bytesToPath, pathToBytes } from "@asterism/svc-fs";

export { bytesToPath as bytesToByteString, pathToBytes as byteStringToBytes };

/** The UTF-8 bytes of `text`, as a byte string. */
export function utf8ByteString(text: string): string {
  return encodeURIComponent(text).replace(/%([0-9A-F]{2})/g, (_match, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

/** The UTF-8 bytes of `text`. */
export function utf8Bytes(text: string): Uint8Array {
  return pathToBytes(utf8ByteString(text));
}
