import { describe, expect, it } from "vitest";
import { PACKAGE_NAME } from "../src/index.ts";

describe("osdk", () => {
  it("names itself", () => {
    expect(PACKAGE_NAME).toBe("@asterism/osdk");
  });
});
