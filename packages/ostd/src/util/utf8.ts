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

/** Length of a sequence by its lead byte, and the smallest code point it may encode. */
function sequenceOf(lead: number): readonly [length: number, minimum: number] {
  if (lead >= 0xf0 && lead <= 0xf4) return [4, 0x10000];
  if (lead >= 0xe0 && lead <= 0xef) return [3, 0x800];
  if (lead >= 0xc2 && lead <= 0xdf) return [2, 0x80];
  return [0, 0];
}

/** The text `bytes` encode; every malformed sequence becomes one U+FFFD. */
export function decodeUtf8(bytes: Uint8Array): string {
  let text = "";
  let index = 0;
  while (index < bytes.length) {
    const lead = bytes[index] ?? 0;
    if (lead < 0x80) {
      text += String.fromCharCode(lead);
      index++;
      continue;
    }
    const [length, minimum] = sequenceOf(lead);
    let code = length === 0 ? -1 : lead & (0xff >> (length + 1));
    let consumed = 1;
    while (code >= 0 && consumed < length) {
      const next = bytes[index + consumed];
      if (next === undefined || (next & 0xc0) !== 0x80) break;
      code = (code << 6) | (next & 0x3f);
      consumed++;
    }
    const valid = code >= 0 && consumed === length && code >= minimum && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff);
    text += valid ? String.fromCodePoint(code) : "\ufffd";
    index += valid ? length : Math.max(1, consumed);
  }
  return text;
}
