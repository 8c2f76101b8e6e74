import { describe, expect, it } from "vitest";
import { bytesToByteString, byteStringToBytes, utf8Bytes, utf8ByteString } from "../src/util/byte-string.ts";

describe("byte strings", () => {
  it("encode JavaScript text as UTF-8 and keep raw bytes lossless", () => {
    expect([...utf8Bytes("é/x")]).toEqual([0xc3, 0xa9, 0x2f, 0x78]);
    expect(utf8ByteString("ab")).toBe("ab");
    const raw = Uint8Array.of(0xff, 0x00, 0x80, 0x41);
    expect([...byteStringToBytes(bytesToByteString(raw))]).toEqual([...raw]);
  });
});
