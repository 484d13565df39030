import { describe, expect, it } from "vitest";
import { Diff } from "@cadre/protocol";
import { diffCommits, diffStats } from "./diff.ts";
import { parsePatch } from "./patch.ts";
import { runGit } from "./run-git.ts";
import { commitAll, git, makeRepo, tempDir, writeFiles } from "./test-support.ts";

const long =
  Array.from({ length: 40 }, (_, i) => `line ${i} of a file long enough to be detected as renamed`).join("\n") + "\n";

async function scenario() {
  const repo = await makeRepo({
    "mod.txt": "one\ntwo\nthree\n",
    "del.txt": "delete me\n",
    "old/name.txt": long,
    "run.sh": "#!/bin/sh\n",
    "img.bin": Buffer.from([0, 1, 2, 3, 255, 0, 7]),
    link: "was a file\n",
  });
  await writeFiles(repo.dir, {
    "mod.txt": "one\nTWO\nthree\nfour\n",
    "del.txt": null,
    "old/name.txt": null,
    "new/name.txt": long.replace("line 3 ", "line three "),
    "run.sh": { content: "#!/bin/sh\n", mode: "exec" },
    "img.bin": Buffer.from([0, 9, 9, 9, 255, 0, 7, 1]),
    "added.txt": "a\nb\n",
    link: { symlink: "mod.txt" },
  });
  const head = await commitAll(repo.dir, "changes");
  return { ...repo, base: repo.commit, head };
}

describe("diffCommits", () => {
  it("reports per-file stats for add/modify/delete/rename/binary/mode/type changes", async () => {
    const s = await scenario();
    const diff = await diffCommits({ gitDir: s.gitDir, base: s.base, head: "main" });
    expect(Diff.parse(diff)).toEqual(diff);
    expect(diff.base).toBe(s.base);
    expect(diff.head).toBe(s.head);
    const byPath = Object.fromEntries(diff.files.map((f) => [f.path, f]));
    expect(diff.files.map((f) => f.path)).toEqual([
      "added.txt",
      "del.txt",
      "img.bin",
      "link",
      "mod.txt",
      "new/name.txt",
      "run.sh",
    ]);
    expect(byPath["added.txt"]).toMatchObject({
      status: "added",
      additions: 2,
      deletions: 0,
      oldMode: null,
      newMode: "100644",
      oldPath: null,
    });
    expect(byPath["del.txt"]).toMatchObject({
      status: "deleted",
      additions: 0,
      deletions: 1,
      oldMode: "100644",
      newMode: null,
    });
    expect(byPath["img.bin"]).toMatchObject({ status: "modified", binary: true, additions: 0, deletions: 0 });
    expect(byPath["link"]).toMatchObject({ status: "type_changed", oldMode: "100644", newMode: "120000" });
    expect(byPath["mod.txt"]).toMatchObject({ status: "modified", additions: 2, deletions: 1 });
    expect(byPath["new/name.txt"]).toMatchObject({
      status: "renamed",
      oldPath: "old/name.txt",
      additions: 1,
      deletions: 1,
    });
    expect(byPath["run.sh"]).toMatchObject({
      status: "modified",
      oldMode: "100644",
      newMode: "100755",
      additions: 0,
      deletions: 0,
    });
    expect(diff.totalFiles).toBe(7);
    expect(diff.additions).toBe(diff.files.reduce((n, f) => n + f.additions, 0));
    expect(diff.nextCursor).toBeNull();
    // The patch covers every file and includes binary data.
    expect(diff.patch).toContain("GIT binary patch");
    expect(diff.patch).toContain("rename from old/name.txt");
    expect(diff.patch).toContain("new mode 100755");
    const patched = new Set(parsePatch(diff.patch).map((f) => f.newPath ?? f.oldPath));
    for (const f of diff.files) expect(patched.has(f.path), f.path).toBe(true);
  });

  it("pages by files with a patch limited to the page and totals over all files", async () => {
    const s = await scenario();
    const all = await diffCommits({ gitDir: s.gitDir, base: s.base, head: s.head });
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Awaited<ReturnType<typeof diffCommits>> = await diffCommits({
        gitDir: s.gitDir,
        base: s.base,
        head: s.head,
        cursor,
        limit: 3,
      });
      pages++;
      expect(page.totalFiles).toBe(7);
      expect(page.additions).toBe(all.additions);
      expect(page.deletions).toBe(all.deletions);
      const inPatch = parsePatch(page.patch);
      const pagePaths = page.files.map((f) => f.path);
      // Each page's patch holds exactly that page's files (a type change is two parts).
      expect([...new Set(inPatch.map((f) => f.newPath ?? f.oldPath))].sort()).toEqual([...pagePaths].sort());
      seen.push(...pagePaths);
      cursor = page.nextCursor;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(all.files.map((f) => f.path));
  });

  it("applies page patches back to the head tree", async () => {
    const s = await scenario();
    await git(s.dir, "checkout", "-q", "--detach", s.base);
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof diffCommits>> = await diffCommits({
        gitDir: s.gitDir,
        base: s.base,
        head: s.head,
        cursor,
        limit: 2,
      });
      await runGit(["apply", "--index"], { cwd: s.dir, input: page.patch });
      cursor = page.nextCursor;
    } while (cursor);
    expect(await git(s.dir, "write-tree")).toBe(await git(s.dir, "rev-parse", `${s.head}^{tree}`));
  });

  it("filters by paths and rejects bad cursors and paths", async () => {
    const s = await scenario();
    const diff = await diffCommits({ gitDir: s.gitDir, base: s.base, head: s.head, paths: ["mod.txt", "new/"] });
    expect(diff.files.map((f) => f.path)).toEqual(["mod.txt", "new/name.txt"]);
    await expect(
      diffCommits({ gitDir: s.gitDir, base: s.base, head: s.head, cursor: "garbage" }),
    ).rejects.toMatchObject({ code: "bad_request" });
    await expect(diffCommits({ gitDir: s.gitDir, base: s.base, head: s.head, paths: ["../x"] })).rejects.toMatchObject({
      code: "bad_request",
    });
    await expect(diffCommits({ gitDir: s.gitDir, base: s.base, head: "--output=/tmp/x" })).rejects.toMatchObject({
      code: "bad_request",
    });
  });

  it("handles a 5,000-file diff quickly", async () => {
    const gitDir = await tempDir("big");
    await git(gitDir, "init", "-q", "--bare");
    const commitOf = (n: number, v: string, from?: string) => {
      const parts = [
        `commit refs/heads/main\nmark :${n}\ncommitter T <t@e> 1700000000 +0000\ndata 2\nc\n`,
        from ? `from ${from}\n` : "",
      ];
      for (let i = 0; i < 5000; i++) {
        const body = `${v} ${i}\n`;
        parts.push(`M 100644 inline d${i % 50}/f${i}.txt\ndata ${body.length}\n${body}\n`);
      }
      return parts.join("");
    };
    await runGit([`--git-dir=${gitDir}`, "fast-import", "--quiet"], {
      input: `${commitOf(1, "v1")}\n${commitOf(2, "v2", ":1")}\n`,
    });
    const head = await git(gitDir, "rev-parse", "main");
    const base = await git(gitDir, "rev-parse", "main~1");
    const diff = await diffCommits({ gitDir, base, head, limit: 100 });
    expect(diff.totalFiles).toBe(5000);
    expect(diff.files).toHaveLength(100);
    expect(diff.additions).toBe(5000);
    expect(diff.deletions).toBe(5000);
    expect(parsePatch(diff.patch)).toHaveLength(100);
  });
});

describe("diffStats", () => {
  it("gives diffCommits' totals (renames, binaries, mode and type changes included) in one pass", async () => {
    const s = await scenario();
    const diff = await diffCommits({ gitDir: s.gitDir, base: s.base, head: s.head, limit: 1 });
    const stats = await diffStats({ gitDir: s.gitDir, base: s.base, head: "main" });
    expect(stats).toEqual({ totalFiles: diff.totalFiles, additions: diff.additions, deletions: diff.deletions });
    expect(stats.totalFiles).toBe(7);
    expect(await diffStats({ gitDir: s.gitDir, base: s.head, head: s.base })).toEqual({
      totalFiles: 7,
      additions: diff.deletions,
      deletions: diff.additions,
    });
  });

  it("is zero for a commit against itself and refuses refs that are options or missing", async () => {
    const s = await scenario();
    expect(await diffStats({ gitDir: s.gitDir, base: s.head, head: s.head })).toEqual({
      totalFiles: 0,
      additions: 0,
      deletions: 0,
    });
    await expect(diffStats({ gitDir: s.gitDir, base: "--output=/tmp/x", head: s.head })).rejects.toThrow();
    await expect(diffStats({ gitDir: s.gitDir, base: "no-such-branch", head: s.head })).rejects.toThrow(/not found/);
  });
});
