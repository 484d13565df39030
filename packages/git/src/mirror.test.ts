import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CadreError } from "@cadre/protocol";
import { ensureMirror, fetchMirror, fetchMirrorSince } from "./mirror.ts";
import { defaultBranch, deleteRef, isAncestor, listRefs, readRef, resolveCommit, updateRef } from "./refs.ts";
import { commitAll, git, makeRepo, tempDir, writeFiles } from "./test-support.ts";

async function rejects(p: Promise<unknown>): Promise<CadreError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof CadreError) return e;
    throw e;
  }
  throw new Error("expected a CadreError");
}

describe("mirror", () => {
  it("mirrors branches and tags of a local repo into a bare repo", async () => {
    const origin = await makeRepo({ "a.txt": "a\n" });
    await git(origin.dir, "tag", "v1");
    await git(origin.dir, "branch", "feature");
    const mirror = join(await tempDir("m"), "repo.git");
    expect(await ensureMirror(origin.dir, mirror)).toEqual({ created: true });
    expect(await git(mirror, "rev-parse", "--is-bare-repository")).toBe("true");
    const refs = (await listRefs(mirror, "refs/heads")).map((r) => r.ref);
    expect(refs).toEqual(["refs/heads/feature", "refs/heads/main"]);
    expect(await readRef(mirror, "refs/tags/v1")).toBe(origin.commit);
    expect(await defaultBranch(mirror)).toBe("main");
    expect(await ensureMirror(origin.dir, mirror)).toEqual({ created: false });
    // No alternates, no clone --mirror config.
    expect(await git(mirror, "config", "--get-all", "remote.origin.fetch")).toBe(
      "+refs/heads/*:refs/heads/*\n+refs/tags/*:refs/tags/*",
    );
  });

  it("keeps refs/cadre/* across fetch --prune while pruning deleted branches", async () => {
    const origin = await makeRepo({ "a.txt": "a\n" });
    await git(origin.dir, "branch", "gone");
    const mirror = join(await tempDir("m"), "repo.git");
    await ensureMirror(origin.dir, mirror);
    await updateRef(mirror, "refs/cadre/attempts/a1", origin.commit);
    await git(origin.dir, "branch", "-D", "gone");
    await writeFiles(origin.dir, { "b.txt": "b\n" });
    const second = await commitAll(origin.dir, "second");
    await fetchMirror(mirror);
    expect(await readRef(mirror, "refs/heads/gone")).toBeNull();
    expect(await readRef(mirror, "refs/heads/main")).toBe(second);
    expect(await readRef(mirror, "refs/cadre/attempts/a1")).toBe(origin.commit);
  });

  it("shares fetches between callers: a caller who asks while one runs gets a fetch that started after it asked", async () => {
    const origin = await makeRepo({ "a.txt": "a\n" });
    const mirror = join(await tempDir("m"), "repo.git");
    await ensureMirror(origin.dir, mirror);
    const first = fetchMirror(mirror);
    await writeFiles(origin.dir, { "b.txt": "b\n" });
    const second = await commitAll(origin.dir, "second");
    const callers = Array.from({ length: 20 }, () => fetchMirror(mirror));
    // Whether or not the first fetch is still running, callers 2 to 20 wait for one fetch together.
    expect(callers[1]).toBe(callers[19]);
    expect(callers[19]).not.toBe(first);
    await Promise.all([first, ...callers]);
    expect(await readRef(mirror, "refs/heads/main")).toBe(second);
    // Once everything settled, the next call fetches again.
    await writeFiles(origin.dir, { "c.txt": "c\n" });
    const third = await commitAll(origin.dir, "third");
    await fetchMirror(mirror);
    expect(await readRef(mirror, "refs/heads/main")).toBe(third);
  });

  it("serves a caller who needs the origin as of a moment from a fetch that started after it, else fetches", async () => {
    const origin = await makeRepo({ "a.txt": "a\n" });
    const mirror = join(await tempDir("m"), "repo.git");
    await ensureMirror(origin.dir, mirror);
    await writeFiles(origin.dir, { "b.txt": "b\n" });
    const second = await commitAll(origin.dir, "second");
    const received = Date.now();
    await fetchMirror(mirror);
    await writeFiles(origin.dir, { "c.txt": "c\n" });
    const third = await commitAll(origin.dir, "third");
    // The fetch after `received` saw what the origin held then: no new fetch.
    await fetchMirrorSince(mirror, {}, received);
    expect(await readRef(mirror, "refs/heads/main")).toBe(second);
    // Later than any fetch started: it fetches.
    await fetchMirrorSince(mirror, {}, Date.now());
    expect(await readRef(mirror, "refs/heads/main")).toBe(third);
  });

  it("waits out a ref lock held by another process sharing the mirror (another server instance)", async () => {
    const origin = await makeRepo({ "a.txt": "a\n" });
    const mirror = join(await tempDir("m"), "repo.git");
    await ensureMirror(origin.dir, mirror);
    await writeFiles(origin.dir, { "b.txt": "b\n" });
    const second = await commitAll(origin.dir, "second");
    // What a concurrent fetch of another process leaves for a moment: the branch's lock file.
    const lock = join(mirror, "refs", "heads", "main.lock");
    await writeFile(lock, "");
    const fetching = fetchMirror(mirror);
    // Longer than git waits for a ref lock itself (core.filesRefLockTimeout, 100 ms).
    setTimeout(() => void rm(lock, { force: true }), 700);
    await fetching;
    expect(await readRef(mirror, "refs/heads/main")).toBe(second);
  });

  it("does not rewrite an unchanged HEAD, so a HEAD lock held elsewhere does not fail the fetch", async () => {
    const origin = await makeRepo({ "a.txt": "a\n" });
    const mirror = join(await tempDir("m"), "repo.git");
    await ensureMirror(origin.dir, mirror);
    const lock = join(mirror, "HEAD.lock");
    await writeFile(lock, "");
    try {
      await fetchMirror(mirror);
      expect(await defaultBranch(mirror)).toBe("main");
    } finally {
      await rm(lock, { force: true });
    }
  });

  it("names the held lock and what to do when it is never released", async () => {
    const origin = await makeRepo({ "a.txt": "a\n" });
    const mirror = join(await tempDir("m"), "repo.git");
    await ensureMirror(origin.dir, mirror);
    await writeFiles(origin.dir, { "b.txt": "b\n" });
    await commitAll(origin.dir, "second");
    await writeFile(join(mirror, "refs", "heads", "main.lock"), "");
    const error = await rejects(fetchMirror(mirror));
    expect(error.code).toBe("unavailable");
    expect(error.message).toContain("main.lock");
    expect(error.message).toContain("remove the lock file");
  });

  it("follows the origin's default branch", async () => {
    const origin = await makeRepo({ "a.txt": "a\n" });
    await git(origin.dir, "branch", "-m", "main", "trunk");
    await git(origin.dir, "branch", "other");
    const mirror = join(await tempDir("m"), "repo.git");
    await ensureMirror(origin.dir, mirror);
    expect(await defaultBranch(mirror)).toBe("trunk");
  });

  it("reports a missing origin clearly and leaves nothing behind", async () => {
    const base = await tempDir("m");
    const mirror = join(base, "repo.git");
    const e1 = await rejects(ensureMirror(join(base, "nope"), mirror));
    expect(e1.code).toBe("not_found");
    expect(e1.message).toMatch(/repository not found at .*nope: check the path or URL/);
    const notRepo = await tempDir("empty");
    const e2 = await rejects(ensureMirror(notRepo, mirror));
    expect(e2.code).toBe("not_found");
    expect(e2.message).toMatch(/repository not found at/);
    expect(await git(base, "ls-files").catch(() => "")).toBe("");
    const { readdir } = await import("node:fs/promises");
    expect(await readdir(base)).toEqual([]);
    const unreachable = await rejects(ensureMirror("http://127.0.0.1:9/nope.git", mirror));
    expect(unreachable.code).toBe("not_found");
    expect(unreachable.message).toMatch(
      /^repository not found at http:\/\/127\.0\.0\.1:9\/nope\.git: check the path or URL/,
    );
    expect((await rejects(ensureMirror("relative/path", mirror))).code).toBe("bad_request");
    expect((await rejects(ensureMirror("ext::sh -c id", mirror))).code).toBe("bad_request");
  });
});

describe("refs", () => {
  it("resolves branches and shas, refuses option-like refs", async () => {
    const repo = await makeRepo({ "a.txt": "a\n" });
    expect(await resolveCommit(repo.gitDir, "main")).toBe(repo.commit);
    expect(await resolveCommit(repo.gitDir, repo.commit)).toBe(repo.commit);
    expect(await resolveCommit(repo.gitDir, repo.commit.slice(0, 12))).toBe(repo.commit);
    const e = await rejects(resolveCommit(repo.gitDir, "--upload-pack=x"));
    expect(e.code).toBe("bad_request");
    const missing = await rejects(resolveCommit(repo.gitDir, "nope"));
    expect(missing.code).toBe("not_found");
    expect(missing.message).toBe("ref nope not found in repo; fetch or check the branch name");
  });

  it("updates refs with compare-and-swap and deletes them", async () => {
    const repo = await makeRepo({ "a.txt": "a\n" });
    await writeFiles(repo.dir, { "a.txt": "b\n" });
    const second = await commitAll(repo.dir, "b");
    await updateRef(repo.gitDir, "refs/cadre/x", repo.commit, { oldValue: null });
    expect((await rejects(updateRef(repo.gitDir, "refs/cadre/x", second, { oldValue: null }))).code).toBe("conflict");
    expect((await rejects(updateRef(repo.gitDir, "refs/cadre/x", second, { oldValue: second }))).code).toBe("conflict");
    await updateRef(repo.gitDir, "refs/cadre/x", second, { oldValue: repo.commit });
    expect(await readRef(repo.gitDir, "refs/cadre/x")).toBe(second);
    expect(await isAncestor(repo.gitDir, repo.commit, second)).toBe(true);
    expect(await isAncestor(repo.gitDir, second, repo.commit)).toBe(false);
    await deleteRef(repo.gitDir, "refs/cadre/x");
    expect(await readRef(repo.gitDir, "refs/cadre/x")).toBeNull();
    expect((await rejects(updateRef(repo.gitDir, "main", second))).code).toBe("bad_request");
  });

  it("picks main, then master, then the first branch", async () => {
    const repo = await makeRepo({ "a.txt": "a\n" });
    await git(repo.dir, "checkout", "-q", "-b", "zeta");
    expect(await defaultBranch(repo.gitDir)).toBe("main");
    await git(repo.dir, "branch", "-m", "main", "master");
    expect(await defaultBranch(repo.gitDir)).toBe("master");
    await git(repo.dir, "branch", "-m", "master", "alpha");
    expect(await defaultBranch(repo.gitDir)).toBe("alpha");
  });
});
