import { describe, expect, it } from "vitest";
import { mergeCommit, mergeTree, rebaseCommit } from "./merge.ts";
import { isAncestor } from "./refs.ts";
import { commitAll, git, makeRepo, showFile, writeFiles } from "./test-support.ts";

const text = (n: number, edit?: [number, string]) =>
  Array.from({ length: n }, (_, i) => (edit && edit[0] === i ? edit[1] : `line ${i}`)).join("\n") + "\n";

/** base → main (edits line 2 of f, adds m.txt); base → topic (edits line 8 of f / or line 2 when conflicting). */
async function branches(conflict: boolean) {
  const repo = await makeRepo({ "f.txt": text(10), "g.txt": "g\n" });
  const base = repo.commit;
  await writeFiles(repo.dir, { "f.txt": text(10, [2, "main edit"]), "m.txt": "m\n" });
  const main = await commitAll(repo.dir, "main work");
  await git(repo.dir, "checkout", "-q", "-b", "topic", base);
  await writeFiles(repo.dir, { "f.txt": text(10, conflict ? [2, "topic edit"] : [8, "topic edit"]), "t.txt": "t\n" });
  const topic = await commitAll(repo.dir, "topic work");
  await git(repo.dir, "checkout", "-q", "main");
  return { ...repo, base, main, topic };
}

describe("mergeTree", () => {
  it("merges cleanly", async () => {
    const r = await branches(false);
    const res = await mergeTree(r.gitDir, r.main, r.topic);
    expect(res.clean).toBe(true);
    expect(res.conflictPaths).toEqual([]);
    const files = (await git(r.dir, "ls-tree", "-r", "--name-only", res.tree)).split("\n");
    expect(files).toEqual(["f.txt", "g.txt", "m.txt", "t.txt"]);
  });

  it("reports conflicts without failing", async () => {
    const r = await branches(true);
    const res = await mergeTree(r.gitDir, r.main, r.topic);
    expect(res.clean).toBe(false);
    expect(res.conflictPaths).toEqual(["f.txt"]);
    expect(await showFile(r.gitDir, res.tree, "f.txt")).toContain("<<<<<<<");
  });

  it("uses an explicit merge base", async () => {
    const r = await branches(false);
    const res = await mergeTree(r.gitDir, r.main, r.topic, r.base);
    expect(res.clean).toBe(true);
    // With main itself as the base, "ours" has no changes, so the result is exactly topic's tree.
    const withMainBase = await mergeTree(r.gitDir, r.main, r.topic, r.main);
    expect(withMainBase.clean).toBe(true);
    expect(withMainBase.tree).toBe(await git(r.dir, "rev-parse", `${r.topic}^{tree}`));
  });
});

describe("mergeCommit", () => {
  it("creates a merge commit without moving any branch", async () => {
    const r = await branches(false);
    const res = await mergeCommit({
      gitDir: r.gitDir,
      targetCommit: r.main,
      attemptCommit: r.topic,
      message: "Merge topic",
    });
    expect(res.clean).toBe(true);
    expect(res.fastForward).toBe(false);
    const parents = await git(r.dir, "rev-list", "--parents", "-n", "1", res.commit as string);
    expect(parents.split(" ").slice(1)).toEqual([r.main, r.topic]);
    expect(await git(r.dir, "rev-parse", "main")).toBe(r.main);
    expect(await git(r.dir, "rev-parse", "topic")).toBe(r.topic);
    expect(await git(r.dir, "log", "-1", "--format=%s", res.commit as string)).toBe("Merge topic");
  });

  it("fast-forwards when the target is an ancestor and reports conflicts", async () => {
    const r = await branches(true);
    const ff = await mergeCommit({ gitDir: r.gitDir, targetCommit: r.base, attemptCommit: r.topic, message: "m" });
    expect(ff).toEqual({ clean: true, commit: r.topic, conflictPaths: [], fastForward: true });
    const noop = await mergeCommit({ gitDir: r.gitDir, targetCommit: r.main, attemptCommit: r.base, message: "m" });
    expect(noop.commit).toBe(r.main);
    const forced = await mergeCommit({
      gitDir: r.gitDir,
      targetCommit: r.base,
      attemptCommit: r.main,
      message: "m",
      allowFastForward: false,
    });
    expect(forced.fastForward).toBe(false);
    expect(forced.commit).not.toBe(r.main);
    const conflict = await mergeCommit({
      gitDir: r.gitDir,
      targetCommit: r.main,
      attemptCommit: r.topic,
      message: "m",
    });
    expect(conflict).toEqual({ clean: false, conflictPaths: ["f.txt"], fastForward: false });
  });
});

describe("rebaseCommit", () => {
  it("replays an attempt's changes onto a new base as one commit", async () => {
    const r = await branches(false);
    // A second topic commit: the replay squashes base..topic2.
    await git(r.dir, "checkout", "-q", "topic");
    await writeFiles(r.dir, { "t.txt": "t2\n" });
    const topic2 = await commitAll(r.dir, "topic more");
    const res = await rebaseCommit({ gitDir: r.gitDir, commit: topic2, oldBase: r.base, newBase: r.main });
    expect(res.clean).toBe(true);
    const commit = res.commit as string;
    expect(await git(r.dir, "rev-parse", `${commit}^`)).toBe(r.main);
    expect(await isAncestor(r.gitDir, r.main, commit)).toBe(true);
    expect(await showFile(r.gitDir, commit, "f.txt")).toBe(
      text(10, [2, "main edit"]).replace("line 8\n", "topic edit\n"),
    );
    expect(await showFile(r.gitDir, commit, "t.txt")).toBe("t2\n");
    expect(await showFile(r.gitDir, commit, "m.txt")).toBe("m\n");
    expect(await git(r.dir, "log", "-1", "--format=%s|%an|%cn", commit)).toBe("topic more|Test|Cadre");
    expect(await git(r.dir, "rev-parse", "topic")).toBe(topic2);
  });

  it("reports conflicts and keeps the commit when the base did not move", async () => {
    const r = await branches(true);
    const res = await rebaseCommit({ gitDir: r.gitDir, commit: r.topic, oldBase: r.base, newBase: r.main });
    expect(res).toEqual({ clean: false, conflictPaths: ["f.txt"] });
    const same = await rebaseCommit({ gitDir: r.gitDir, commit: r.topic, oldBase: r.base, newBase: r.base });
    expect(same.commit).toBe(r.topic);
  });

  it("uses only oldBase..commit, not older history", async () => {
    // topic: base → t1 (edits line 5) → t2 (edits line 8). Replaying t1..t2 onto main must not bring t1's change.
    const r = await branches(false);
    await git(r.dir, "checkout", "-q", "-b", "t", r.base);
    await writeFiles(r.dir, { "f.txt": text(10, [5, "t1 edit"]) });
    const t1 = await commitAll(r.dir, "t1");
    await writeFiles(r.dir, { "f.txt": text(10, [5, "t1 edit"]).replace("line 8\n", "t2 edit\n") });
    const t2 = await commitAll(r.dir, "t2");
    const res = await rebaseCommit({ gitDir: r.gitDir, commit: t2, oldBase: t1, newBase: r.main });
    expect(res.clean).toBe(true);
    const f = await showFile(r.gitDir, res.commit as string, "f.txt");
    expect(f).toContain("t2 edit");
    expect(f).toContain("main edit");
    expect(f).not.toContain("t1 edit");
  });
});
