import { describe, expect, it } from "vitest";
import { decodeUtf8, encodeUtf8 } from "../src/index.ts";

const samples = ["", "plain ascii", "ünïcödé", "€ and 中文", "emoji 🚀 astral", "\u0000nul inside"];

describe("UTF-8 codec", () => {
  it("encodes and decodes exactly as the host's TextEncoder/TextDecoder", () => {
    for (const text of samples) {
      const bytes = encodeUtf8(text);
      expect(bytes).toEqual(new TextEncoder().encode(text));
      expect(decodeUtf8(bytes)).toBe(text);
    }
  });

  it("replaces malformed input with U+FFFD like TextDecoder", () => {
    const malformed = [[0xff], [0xc0, 0x80], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0x61, 0x80, 0x62], [0xe0, 0x80, 0xaf], [0xf0, 0x9f, 0x9a]];
    for (const bytes of malformed) {
      expect(decodeUtf8(Uint8Array.from(bytes))).toBe(new TextDecoder().decode(Uint8Array.from(bytes)));
    }
  });

  it("turns a lone surrogate into U+FFFD when encoding", () => {
    expect(encodeUtf8("\ud800")).toEqual(new TextEncoder().encode("\ud800"));
  });
});
