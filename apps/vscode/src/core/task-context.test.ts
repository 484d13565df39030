import { describe, expect, it } from "vitest";
import { promptWithContext } from "./task-context.ts";

describe("promptWithContext", () => {
  it("leaves the prompt alone without context, references a whole file by path, and quotes a selection", () => {
    expect(promptWithContext("Fix it", null)).toBe("Fix it");
    expect(promptWithContext("Fix it", { path: "src/a.ts", selection: null })).toBe(
      "Fix it\n\nContext: the file src/a.ts.",
    );
    expect(
      promptWithContext("Fix it", { path: "a.md", selection: { text: "```js\nx\n```", startLine: 3, endLine: 5 } }),
    ).toBe("Fix it\n\nContext: a.md, lines 3-5:\n````\n```js\nx\n```\n````");
  });
});
