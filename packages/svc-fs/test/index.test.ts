import { describe, expect, it } from "vitest";
import { PACKAGE_NAME } from "../src/index.ts";

describe("svc-fs", () => {
  it("names itself", () => {
    expect(PACKAGE_NAME).toBe("@asterism/svc-fs");
  });
});
