import { describe, expect, it } from "vitest";
import { PACKAGE_NAME } from "../src/index.ts";

describe("ostd-x86", () => {
  it("names itself", () => {
    expect(PACKAGE_NAME).toBe("@asterism/ostd-x86");
  });
});
