import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parsePatch } from "@cadre/git";
import { applyHunksInMemory, newContentOf } from "./apply-hunks-in-memory.ts";

/** git's own diff of two texts, so the hunks are exactly what the server sends. */
function gitDiff(before: string, after: string): string {
  const dir = mkdtempSync(join(tmpdir(), "cadre-hunks-"));
  try {
    writeFileSync(join(dir, "a"), before);
    writeFileSync(join(dir, "b"), after);
    try {
      execFileSync("git", ["diff", "--no-index", "--no-color", "a", "b"], { cwd: dir, encoding: "utf8" });
      return "";
    } catch (e) {
      return (e as { stdout: string }).stdout;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const LINES = Array.from({ length: 40 }, (_, i) => `line ${i + 1}`);
const cases: [string, string, string][] = [
  [
    "two hunks",
    LINES.join("\n") + "\n",
    LINES.map((l, i) => (i === 1 || i === 35 ? l.toUpperCase() : l)).join("\n") + "\n",
  ],
  [
    "insert at the top and delete at the end",
    LINES.join("\n") + "\n",
    ["new first", ...LINES.slice(0, 38)].join("\n") + "\n",
  ],
  ["drop the final newline", "a\nb\n", "a\nc"],
  ["add a final newline", "a\nb", "a\nb\n"],
  ["from empty", "", "x\ny\n"],
];

describe("applyHunksInMemory", () => {
  for (const [name, before, after] of cases) {
    it(`rebuilds the new text: ${name}`, () => {
      const [file] = parsePatch(gitDiff(before, after));
      expect(file).toBeDefined();
      expect(applyHunksInMemory(before, file?.hunks ?? [])).toBe(after);
    });
  }

  it("finds hunks that moved (local lines added above them)", () => {
    const before = LINES.join("\n") + "\n";
    const [file] = parsePatch(gitDiff(before, before.replace("line 30\n", "LINE 30\n")));
    const shifted = `extra 1\nextra 2\n${before}`;
    expect(applyHunksInMemory(shifted, file?.hunks ?? [])).toBe(shifted.replace("line 30\n", "LINE 30\n"));
  });

  it("returns null when the old text does not match", () => {
    const [file] = parsePatch(gitDiff("a\nb\nc\n", "a\nB\nc\n"));
    expect(applyHunksInMemory("x\ny\nz\n", file?.hunks ?? [])).toBeNull();
  });

  it("shows a deleted file as empty", () => {
    const [file] = parsePatch(
      "diff --git a/x b/x\ndeleted file mode 100644\n--- a/x\n+++ /dev/null\n@@ -1 +0,0 @@\n-gone\n",
    );
    expect(file && newContentOf(file, "gone\n")).toBe("");
  });
});
