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

describe("osdk option errors", () => {
  it("reports an unknown option of a command as a usage error, exit code 2", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    expect(await main(["tcb", "--frobnicate"])).toBe(2);
    expect(errors.mock.calls[0]?.[0]).toMatch(/^osdk tcb: Unknown option '--frobnicate'/);
    errors.mockRestore();
  });
});
