import { describe, expect, it } from "vitest";
import { parseUnifiedDiff } from "./unified-diff.ts";
import { buildPatch, countHunks, type HunkSelection } from "./build-patch.ts";

const THREE_HUNKS = [
  "diff --git a/lines.txt b/lines.txt",
  "index 1111111..2222222 100644",
  "--- a/lines.txt",
  "+++ b/lines.txt",
  "@@ -1,4 +1,6 @@",
  " line 1",
  "-line 2",
  "+line two",
  "+extra a",
  "+extra b",
  " line 3",
  " line 4",
  "@@ -10,3 +12,2 @@ section",
  " line 10",
  "-line 11",
  " line 12",
  "@@ -20,0 +21,1 @@",
  "+after twenty",
  "",
].join("\n");

const skip = (path: string, ...hunks: number[]): HunkSelection => new Map([[path, new Set(hunks)]]);

describe("parseUnifiedDiff", () => {
  it("reads files, hunks, counts and line numbers", () => {
    const [f] = parseUnifiedDiff(THREE_HUNKS);
    expect(f?.path).toBe("lines.txt");
    expect(f?.hunks.map((h) => [h.oldStart, h.oldCount, h.newStart, h.newCount, h.additions, h.deletions])).toEqual([
      [1, 4, 1, 6, 3, 1],
      [10, 3, 12, 2, 0, 1],
      [20, 0, 21, 1, 1, 0],
    ]);
    expect(f?.hunks[1]?.section).toBe("section");
    expect(f?.hunks[0]?.lines.find((l) => l.text === "line 3")).toMatchObject({ oldNo: 3, newNo: 5 });
  });

  it("ends a hunk by its counts, so removed lines that look like headers stay in it", () => {
    const patch = "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,2 +1,1 @@\n--- a/old\n keep\n";
    const [f] = parseUnifiedDiff(patch);
    expect(f?.hunks[0]?.lines.map((l) => [l.kind, l.text])).toEqual([
      ["del", "-- a/old"],
      ["context", "keep"],
    ]);
  });

  it("marks new, deleted, renamed and binary files", () => {
    const patch = [
      "diff --git a/new.txt b/new.txt",
      "new file mode 100644",
      "index 0000000..e69de29",
      "--- /dev/null",
      "+++ b/new.txt",
      "@@ -0,0 +1 @@",
      "+hello",
      "diff --git a/gone.txt b/gone.txt",
      "deleted file mode 100644",
      "--- a/gone.txt",
      "+++ /dev/null",
      "@@ -1 +0,0 @@",
      "-bye",
      "diff --git a/a.txt b/b.txt",
      "similarity index 100%",
      "rename from a.txt",
      "rename to b.txt",
      "diff --git a/img.png b/img.png",
      "index 1..2 100644",
      "GIT binary patch",
      "literal 3",
      "Kcmb=",
      "",
      "literal 0",
      "HcmV?d00001",
      "",
    ].join("\n");
    const files = parseUnifiedDiff(patch);
    expect(files.map((f) => [f.path, f.oldPath, f.isNew, f.isDeleted, f.binary, f.hunks.length])).toEqual([
      ["new.txt", null, true, false, false, 1],
      ["gone.txt", null, false, true, false, 1],
      ["b.txt", "a.txt", false, false, false, 0],
      ["img.png", null, false, false, true, 0],
    ]);
  });
});

describe("buildPatch", () => {
  const files = parseUnifiedDiff(THREE_HUNKS);

  it("returns the patch unchanged when every hunk is accepted", () => {
    expect(buildPatch(files, new Map())).toBe(THREE_HUNKS);
  });

  it("shifts later hunks' new start by what a skipped hunk would have added", () => {
    const out = buildPatch(files, skip("lines.txt", 0));
    expect(out).not.toContain("line two");
    expect(out).toContain("@@ -10,3 +10,2 @@ section");
    // The third hunk moves by -2 (first skipped) but keeps the second's -1.
    expect(out).toContain("@@ -20,0 +19,1 @@");
  });

  it("keeps an earlier hunk's shift when only a later one is skipped", () => {
    const out = buildPatch(files, skip("lines.txt", 1));
    expect(out).toContain("@@ -1,4 +1,6 @@");
    expect(out).toContain("@@ -20,0 +22,1 @@");
    expect(out).not.toContain("-line 11");
  });

  it("leaves out a file whose hunks are all skipped, and reports counts", () => {
    expect(buildPatch(files, skip("lines.txt", 0, 1, 2))).toBe("");
    expect(countHunks(files, skip("lines.txt", 2))).toEqual({ accepted: 2, total: 3 });
  });

  it("takes whole-file changes as one switch", () => {
    const patch =
      "diff --git a/new.txt b/new.txt\nnew file mode 100644\n--- /dev/null\n+++ b/new.txt\n@@ -0,0 +1,2 @@\n+a\n+b\n";
    const nf = parseUnifiedDiff(patch);
    expect(buildPatch(nf, new Map())).toBe(patch);
    expect(buildPatch(nf, skip("new.txt", 0))).toBe("");
    expect(countHunks(nf, new Map())).toEqual({ accepted: 1, total: 1 });
  });

  it("keeps 'No newline at end of file' markers with their hunk", () => {
    const patch =
      "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-old\n\\ No newline at end of file\n+new\n\\ No newline at end of file\n";
    expect(buildPatch(parseUnifiedDiff(patch), new Map())).toBe(patch.replace("@@ -1 +1 @@", "@@ -1,1 +1,1 @@"));
  });
});
