import { describe, expect, it } from "vitest";
import { PACKAGE_NAME } from "../src/index.ts";

describe("board-x86", () => {
  it("names itself", () => {
    expect(PACKAGE_NAME).toBe("@asterism/board-x86");
  });
});
