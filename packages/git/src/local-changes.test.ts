import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  localChangePatch,
  localCommitOf,
  localFileAt,
  localGitPath,
  localHead,
  localUpstream,
} from "./local-changes.ts";
import { commitAll, git, makeRepo, tempDir, writeFiles } from "./test-support.ts";

describe("a person's work tree, read for review and hooks", () => {
  it("gives the staged change, the change since a ref's merge base, and every uncommitted change", async () => {
    const repo = await makeRepo({ "a.txt": "a\n", "b.txt": "b\n" });
    await git(repo.dir, "checkout", "-q", "-b", "topic");
    await writeFiles(repo.dir, { "a.txt": "a\ncommitted\n" });
    await commitAll(repo.dir, "topic change");
    await writeFiles(repo.dir, { "b.txt": "b\nstaged\n" });
    await git(repo.dir, "add", "b.txt");
    await writeFiles(repo.dir, { "a.txt": "a\ncommitted\nunstaged\n" });

    const staged = await localChangePatch(repo.dir, { kind: "staged" });
    expect(staged).toContain("+staged");
    expect(staged).not.toContain("a.txt");
    const sinceMain = await localChangePatch(repo.dir, { kind: "base", ref: "main" });
    expect(sinceMain).toContain("+committed");
    expect(sinceMain).toContain("+unstaged");
    const uncommitted = await localChangePatch(repo.dir, { kind: "work-tree" });
    expect(uncommitted).toContain("+staged");
    expect(uncommitted).toContain("+unstaged");
    expect(uncommitted).not.toContain("+committed");
  });

  it("never lets a ref become an option and says which refs are no commit", async () => {
    const repo = await makeRepo({ "a.txt": "a\n" });
    expect(await localCommitOf(repo.dir, "main")).toBe(repo.commit);
    expect(await localCommitOf(repo.dir, "--output=/tmp/x")).toBeNull();
    expect(await localCommitOf(repo.dir, "nope")).toBeNull();
    await expect(localChangePatch(repo.dir, { kind: "base", ref: "nope" })).rejects.toThrow(
      "--base nope is not a commit in this repository",
    );
  });

  it("reads HEAD (null when unborn), the upstream, the hooks directory and a file at a commit", async () => {
    const unborn = await tempDir("unborn");
    await git(unborn, "init", "-q", "-b", "main");
    expect(await localHead(unborn)).toBeNull();
    await writeFiles(unborn, { "x.txt": "x\n" });
    await git(unborn, "add", "x.txt");
    expect(await localChangePatch(unborn, { kind: "work-tree" })).toContain("+x");

    const origin = await makeRepo({ "a.txt": "a\n" }, "origin");
    const clone = await tempDir("clone");
    await git(clone, "clone", "-q", origin.dir, ".");
    expect(await localHead(clone)).toBe(origin.commit);
    expect(await localUpstream(clone)).toBe("origin/main");
    expect(await localUpstream(origin.dir)).toBeNull();
    expect(await localGitPath(clone, "hooks")).toBe(join(clone, ".git", "hooks"));
    expect(await localFileAt(clone, origin.commit, "a.txt")).toBe("a\n");
    expect(await localFileAt(clone, origin.commit, "missing.txt")).toBeNull();
    expect(await localFileAt(clone, "main", "a.txt")).toBeNull();
  });
});
