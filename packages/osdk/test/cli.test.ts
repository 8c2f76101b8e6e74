import { describe, expect, it, vi } from "vitest";
import { main } from "../src/index.ts";

describe("osdk cli", () => {
  it("rejects an unknown command with usage and exit code 2", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    expect(await main(["frobnicate"])).toBe(2);
    expect(errors.mock.calls[0]?.[0]).toMatch(/unknown command 'frobnicate'[\s\S]*usage: osdk/);
    errors.mockRestore();
  });
});
