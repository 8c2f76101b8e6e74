import { describe, expect, it } from "vitest";
import { countSourceLines } from "../src/tcb/lines.ts";

describe("countSourceLines", () => {
  it("skips blank lines and comments of both kinds", () => {
    const text = ["/**", " * doc", " */", "", "const a = 1; // trailing", "// whole line", "/* block */ const b = 2;", ""].join("\n");
    expect(countSourceLines(text)).toBe(2);
  });

  it("counts lines of strings, regular expressions and templates that look like comments", () => {
    const text = ['const url = "http://x";', "const re = /\\/\\/*/;", "const t = `", "// inside a template", "`;"].join("\n");
    expect(countSourceLines(text)).toBe(5);
  });
});
