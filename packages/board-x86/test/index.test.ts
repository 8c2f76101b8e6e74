import { describe, expect, it } from "vitest";
import * as board from "../src/index.ts";

describe("board-x86 public entry", () => {
  it("names itself", () => {
    expect(board.PACKAGE_NAME).toBe("@asterism/board-x86");
  });

  it("exports createBoard, the layout constants and nothing internal", () => {
    expect(typeof board.createBoard).toBe("function");
    expect(board.BoardLayout.localApicBase).toBe(0xfee0_0000);
    expect(board.BootInfoLayout.size).toBe(64);
    expect(Object.keys(board)).not.toContain("Mmu");
    expect(Object.keys(board)).not.toContain("VirtioBlk");
  });
});
