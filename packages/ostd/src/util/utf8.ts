/**
 * UTF-8 for the kernel. `TextEncoder`/`TextDecoder` belong to the host (the web platform and
 * Node), not to the language, and an image must not depend on a host being there; a codec
 * is small enough to carry. Malformed input decodes to U+FFFD, as TextDecoder would.
 */

/** The UTF-8 bytes of `text`; lone surrogates become U+FFFD. */
export function encodeUtf8(text: string): Uint8Array {
  const bytes: number[] = [];
  for (const char of text) {
    let code = char.codePointAt(0) ?? 0xfffd;
    if (code >= 0xd800 && code <= 0xdfff) code = 0xfffd;
    if (code < 0x80) bytes.push(code);
    else if (code < 0x800) bytes.push(0xc0 | (code >> 6), 0x80 | (code & 0x3f));
    else if (code < 0x10000) bytes.push(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f));
    else bytes.push(0xf0 | (code >> 18), 0x80 | ((code >> 12) & 0x3f), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f));
  }
  return Uint8Array.from(bytes);
}

/**
 * The text `bytes` encode. Malformed input is replaced as the WHATWG Encoding standard's
 * UTF-8 decoder does (one U+FFFD per maximal invalid subpart), so results match TextDecoder.
 */
export function decodeUtf8(bytes: Uint8Array): string {
  const units: number[] = [];
  let needed = 0;
  let seen = 0;
  let code = 0;
  let lower = 0x80;
  let upper = 0xbf;
  for (let index = 0; index < bytes.length; index++) {
    const byte = bytes[index] ?? 0;
    if (needed === 0) {
      if (byte <= 0x7f) units.push(byte);
      else if (byte >= 0xc2 && byte <= 0xdf) [needed, code] = [1, byte & 0x1f];
      else if (byte >= 0xe0 && byte <= 0xef) {
        if (byte === 0xe0) lower = 0xa0;
        if (byte === 0xed) upper = 0x9f;
        [needed, code] = [2, byte & 0x0f];
      } else if (byte >= 0xf0 && byte <= 0xf4) {
        if (byte === 0xf0) lower = 0x90;
        if (byte === 0xf4) upper = 0x8f;
        [needed, code] = [3, byte & 0x07];
      } else units.push(0xfffd);
      continue;
    }
    if (byte < lower || byte > upper) {
      [needed, seen, code, lower, upper] = [0, 0, 0, 0x80, 0xbf];
      units.push(0xfffd);
      index--;
      continue;
    }
    [lower, upper] = [0x80, 0xbf];
    code = (code << 6) | (byte & 0x3f);
    if (++seen === needed) {
      if (code >= 0x10000) units.push(0xd800 + ((code - 0x10000) >> 10), 0xdc00 + ((code - 0x10000) & 0x3ff));
      else units.push(code);
      [needed, seen, code] = [0, 0, 0];
    }
  }
  if (needed !== 0) units.push(0xfffd);
  let text = "";
  for (let start = 0; start < units.length; start += 4096) text += String.fromCharCode(...units.slice(start, start + 4096));
  return text;
}
