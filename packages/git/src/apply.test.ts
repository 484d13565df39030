import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CadreError } from "@cadre/protocol";
import { applyPatchToWorkTree } from "./apply.ts";
import { diffCommits } from "./diff.ts";
import { commitAll, git, makeRepo, writeFiles } from "./test-support.ts";
import { workTreeStatus } from "./work-tree-status.ts";

const long = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join("\n") + "\n";

/** A repo at `base`, with a patch (base → head) made by diffCommits, checked out back at base on main. */
async function withPatch(baseFiles: Parameters<typeof makeRepo>[0], headFiles: Parameters<typeof writeFiles>[1]) {
  const repo = await makeRepo(baseFiles);
  await git(repo.dir, "checkout", "-q", "-b", "work");
  await writeFiles(repo.dir, headFiles);
  const head = await commitAll(repo.dir, "head");
  await git(repo.dir, "checkout", "-q", "main");
  const diff = await diffCommits({ gitDir: repo.gitDir, base: repo.commit, head });
  return { ...repo, head, patch: diff.patch };
}

async function statusLines(dir: string): Promise<string> {
  return git(dir, "status", "--porcelain", "--untracked-files=all");
}

describe("applyPatchToWorkTree", () => {
  it("applies renames, binaries, deletions and mode changes", async () => {
    const r = await withPatch(
      {
        "old.txt": long,
        "img.bin": Buffer.from([0, 1, 2, 3]),
        "gone.txt": "bye\n",
        "run.sh": "#!/bin/sh\n",
        "m.txt": "a\nb\n",
      },
      {
        "old.txt": null,
        "new.txt": long.replace("line 7\n", "line seven\n"),
        "img.bin": Buffer.from([0, 9, 8, 7, 6]),
        "gone.txt": null,
        "run.sh": { content: "#!/bin/sh\n", mode: "exec" },
        "m.txt": "a\nB\n",
        "added/deep.txt": "new\n",
      },
    );
    const res = await applyPatchToWorkTree({ cwd: join(r.dir), patch: r.patch, threeWay: true });
    expect(res.conflicted).toEqual([]);
    expect(res.skipped).toEqual([]);
    expect([...res.applied].sort()).toEqual(["added/deep.txt", "gone.txt", "img.bin", "m.txt", "new.txt", "run.sh"]);
    // The work tree (and index) now match the head commit.
    expect(await git(r.dir, "write-tree")).toBe(await git(r.dir, "rev-parse", `${r.head}^{tree}`));
    expect(await git(r.dir, "diff", "--stat")).toBe("");
    expect([...(await readFile(join(r.dir, "img.bin")))]).toEqual([0, 9, 8, 7, 6]);
    expect((await stat(join(r.dir, "run.sh"))).mode & 0o100).not.toBe(0);
    await expect(stat(join(r.dir, "gone.txt"))).rejects.toThrow();
  });

  it("refuses when local changes overlap the patch, changing nothing", async () => {
    const r = await withPatch(
      { "a.txt": "a\n", "b.txt": "b\n", "c.txt": "c\n" },
      { "a.txt": "A\n", "b.txt": "B\n", "new.txt": "n\n" },
    );
    await writeFiles(r.dir, { "b.txt": "local edit\n", "c.txt": "unrelated edit\n" });
    const before = await statusLines(r.dir);
    const err = await applyPatchToWorkTree({ cwd: r.dir, patch: r.patch, threeWay: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CadreError);
    expect((err as CadreError).code).toBe("conflict");
    expect((err as CadreError).message).toContain("b.txt");
    expect((err as CadreError).message).not.toContain("c.txt");
    expect(await statusLines(r.dir)).toBe(before);
    expect(await readFile(join(r.dir, "a.txt"), "utf8")).toBe("a\n");
    expect(await readFile(join(r.dir, "b.txt"), "utf8")).toBe("local edit\n");

    // An untracked file where the patch creates one also counts.
    await git(r.dir, "checkout", "-q", "--", "b.txt");
    await writeFiles(r.dir, { "new.txt": "mine\n" });
    const err2 = await applyPatchToWorkTree({ cwd: r.dir, patch: r.patch, threeWay: true }).catch((e: unknown) => e);
    expect((err2 as CadreError).message).toContain("new.txt");
    expect(await readFile(join(r.dir, "a.txt"), "utf8")).toBe("a\n");

    // Unrelated local changes are fine.
    await writeFiles(r.dir, { "new.txt": null });
    const ok = await applyPatchToWorkTree({ cwd: r.dir, patch: r.patch, threeWay: true });
    expect([...ok.applied].sort()).toEqual(["a.txt", "b.txt", "new.txt"]);
    expect(await readFile(join(r.dir, "c.txt"), "utf8")).toBe("unrelated edit\n");
  });

  it("merges with conflicts in three-way mode and skips changes already present", async () => {
    const r = await withPatch(
      { "f.txt": long, "g.txt": "g\n", "h.txt": "h\n" },
      { "f.txt": long.replace("line 5\n", "theirs\n"), "g.txt": "G\n", "h.txt": "H\n" },
    );
    // main moves on: f.txt's line 5 changes differently, g.txt already has the change.
    await writeFiles(r.dir, { "f.txt": long.replace("line 5\n", "ours\n"), "g.txt": "G\n" });
    await commitAll(r.dir, "main moved");
    const res = await applyPatchToWorkTree({ cwd: r.dir, patch: r.patch, threeWay: true });
    expect(res).toEqual({ applied: ["h.txt"], conflicted: ["f.txt"], skipped: ["g.txt"] });
    const f = await readFile(join(r.dir, "f.txt"), "utf8");
    expect(f).toContain("<<<<<<<");
    const status = await workTreeStatus(r.dir);
    expect(status.entries.find((e) => e.path === "f.txt")?.conflicted).toBe(true);
    expect(status.branch).toBe("main");
  });

  it("refuses a patch that cannot apply at all without writing any file", async () => {
    const r = await withPatch({ "a.txt": "a\n", "b.txt": "b\n" }, { "a.txt": "A\n", "b.txt": "B\n" });
    // b.txt's preimage is unknown here: rewrite history so the blob is missing and the text differs.
    await writeFiles(r.dir, { "b.txt": "completely different\n" });
    await commitAll(r.dir, "diverge");
    const broken = r.patch.replace(
      /index [0-9a-f]+\.\.[0-9a-f]+ 100644\n--- a\/b\.txt/,
      `index ${"1".repeat(40)}..${"2".repeat(40)} 100644\n--- a/b.txt`,
    );
    const err = await applyPatchToWorkTree({ cwd: r.dir, patch: broken, threeWay: true }).catch((e: unknown) => e);
    expect((err as CadreError).code).toBe("conflict");
    expect((err as CadreError).message).toMatch(/does not apply to b\.txt/);
    expect(await readFile(join(r.dir, "a.txt"), "utf8")).toBe("a\n");
    expect(await statusLines(r.dir)).toBe("");
  });

  it("works from a subdirectory and without three-way mode", async () => {
    const r = await withPatch({ "sub/a.txt": "a\n", "top.txt": "t\n" }, { "sub/a.txt": "A\n", "top.txt": "T\n" });
    const res = await applyPatchToWorkTree({ cwd: join(r.dir, "sub"), patch: r.patch, threeWay: false });
    expect([...res.applied].sort()).toEqual(["sub/a.txt", "top.txt"]);
    expect(await readFile(join(r.dir, "top.txt"), "utf8")).toBe("T\n");
    expect(await applyPatchToWorkTree({ cwd: r.dir, patch: "", threeWay: true })).toEqual({
      applied: [],
      conflicted: [],
      skipped: [],
    });
  });

  it("rejects unsafe paths in a patch", async () => {
    const r = await makeRepo({ "a.txt": "a\n" });
    const evil =
      "diff --git a/../evil b/../evil\nnew file mode 100644\n--- /dev/null\n+++ b/../evil\n@@ -0,0 +1 @@\n+x\n";
    await expect(applyPatchToWorkTree({ cwd: r.dir, patch: evil, threeWay: true })).rejects.toMatchObject({
      code: "bad_request",
    });
  });
});
