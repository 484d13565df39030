import { describe, expect, it } from "vitest";
import { findMention } from "./mention.ts";

describe("findMention", () => {
  it("finds the bot's handle and takes what follows as the instruction", () => {
    expect(findMention("@cadre fix the parser\nand add a test", "cadre")).toEqual({
      kind: "instruction",
      text: "fix the parser\nand add a test",
    });
    expect(findMention("Hey @Cadre: please look", "cadre")).toEqual({ kind: "instruction", text: ": please look" });
  });

  it("tells a review request from an instruction", () => {
    expect(findMention("@cadre review", "cadre")).toEqual({ kind: "review" });
    expect(findMention("@cadre review the error handling too", "cadre")).toEqual({
      kind: "instruction",
      text: "review the error handling too",
    });
  });

  it("ignores handles that only contain the name, e-mail addresses, quotes and code", () => {
    expect(findMention("@cadrebot fix it", "cadre")).toBeNull();
    expect(findMention("mail me at me@cadre fix", "cadre")).toBeNull();
    expect(findMention("> @cadre fix it\nquoted above", "cadre")).toBeNull();
    expect(findMention("```\n@cadre fix it\n```\nand `@cadre x`", "cadre")).toBeNull();
    expect(findMention("nothing here", "cadre")).toBeNull();
  });
});
