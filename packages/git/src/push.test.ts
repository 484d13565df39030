import { describe, expect, it } from "vitest";
import { CadreError } from "@cadre/protocol";
import { pushBranch, pushEach, pushRefs } from "./push.ts";
import { commitAll, git, makeRepo, tempDir, writeFiles } from "./test-support.ts";

async function setup() {
  const remote = await tempDir("remote");
  await git(remote, "init", "-q", "--bare", "-b", "main");
  const local = await makeRepo({ "a.txt": "a\n" });
  await git(local.dir, "push", "-q", remote, "main");
  return { remote, local };
}

describe("pushRefs", () => {
  it("pushes commits to new and existing branches atomically", async () => {
    const { remote, local } = await setup();
    await writeFiles(local.dir, { "b.txt": "b\n" });
    const next = await commitAll(local.dir, "b");
    const res = await pushRefs(local.gitDir, remote, [
      { src: next, dst: "main" },
      { src: next, dst: "refs/heads/cadre/task-1" },
    ]);
    expect(res).toEqual([
      { dst: "refs/heads/main", commit: next, status: "updated" },
      { dst: "refs/heads/cadre/task-1", commit: next, status: "created" },
    ]);
    expect(await git(remote, "rev-parse", "main", "cadre/task-1")).toBe(`${next}\n${next}`);
    expect((await pushBranch(local.gitDir, remote, { commit: next, branch: "main" })).status).toBe("up_to_date");
  });

  it("refuses a non-fast-forward with a conflict error and pushes nothing", async () => {
    const { remote, local } = await setup();
    // Someone else moves main on the remote.
    const other = await tempDir("other");
    await git(other, "clone", "-q", remote, ".");
    await writeFiles(other, { "x.txt": "x\n" });
    const theirs = await commitAll(other, "theirs");
    await git(other, "push", "-q", "origin", "main");

    await writeFiles(local.dir, { "y.txt": "y\n" });
    const ours = await commitAll(local.dir, "ours");
    const err = await pushRefs(local.gitDir, remote, [
      { src: ours, dst: "refs/heads/cadre/side" },
      { src: ours, dst: "main" },
    ]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CadreError);
    expect((err as CadreError).code).toBe("conflict");
    expect((err as CadreError).message).toMatch(/branch main moved .* rebase/);
    expect(await git(remote, "rev-parse", "main")).toBe(theirs);
    // Atomic: the other ref was not created either.
    await expect(git(remote, "rev-parse", "--verify", "--quiet", "refs/heads/cadre/side")).rejects.toThrow();
    // Forcing is explicit.
    expect((await pushBranch(local.gitDir, remote, { commit: ours, branch: "main" }, { force: true })).status).toBe(
      "forced",
    );
    expect(await git(remote, "rev-parse", "main")).toBe(ours);
  });

  it("validates refs and remotes before running git", async () => {
    const { remote, local } = await setup();
    const code = async (p: Promise<unknown>) => ((await p.catch((e: unknown) => e)) as CadreError).code;
    expect(await code(pushRefs(local.gitDir, "--receive-pack=touch /tmp/x", [{ src: "main", dst: "main" }]))).toBe(
      "bad_request",
    );
    expect(await code(pushRefs(local.gitDir, remote, [{ src: "--all", dst: "main" }]))).toBe("bad_request");
    expect(await code(pushBranch(local.gitDir, remote, { commit: "main", branch: "bad..name" }))).toBe("bad_request");
    expect(await code(pushBranch(local.gitDir, remote, { commit: "nope", branch: "x" }))).toBe("not_found");
  });

  it("takes a ref the remote already holds the same change at (committed again: only the dates differ) as pushed, and nothing else", async () => {
    const { remote, local } = await setup();
    // Another process made the same change and pushed it first, as a server that died after its push.
    const other = await tempDir("other");
    await git(other, "clone", "-q", remote, ".");
    await writeFiles(other, { "b.txt": "b\n" });
    await git(other, "add", "-A");
    await git(other, "commit", "-q", "--date=2001-02-03T04:05:06Z", "-m", "Add b");
    const landed = await git(other, "rev-parse", "HEAD");
    await git(other, "push", "-q", "origin", "HEAD:refs/heads/cadre/task-1");

    await writeFiles(local.dir, { "b.txt": "b\n" });
    const ours = await commitAll(local.dir, "Add b");
    expect(ours).not.toBe(landed);
    const [pushed] = await pushRefs(local.gitDir, remote, [{ src: ours, dst: "cadre/task-1", expect: null }]);
    expect(pushed).toEqual({ dst: "refs/heads/cadre/task-1", commit: landed, status: "up_to_date" });
    expect(await git(remote, "rev-parse", "cadre/task-1")).toBe(landed);

    // Another tree on that parent, or the same tree with another message, is someone else's work: refused.
    await git(local.dir, "reset", "-q", "--hard", "HEAD~1");
    await writeFiles(local.dir, { "b.txt": "something else\n" });
    const different = await commitAll(local.dir, "Add b");
    await git(local.dir, "reset", "-q", "--hard", "HEAD~1");
    await writeFiles(local.dir, { "b.txt": "b\n" });
    const theirMessage = await commitAll(local.dir, "Add b, says someone else");
    for (const commit of [different, theirMessage]) {
      const error = await pushRefs(local.gitDir, remote, [{ src: commit, dst: "cadre/task-1", expect: null }]).catch(
        (e: unknown) => e,
      );
      expect((error as CadreError).code).toBe("conflict");
      expect((error as CadreError).message).toMatch(/cadre\/task-1 moved on/);
    }
    expect(await git(remote, "rev-parse", "cadre/task-1")).toBe(landed);
  });
});

describe("pushEach", () => {
  it("gives each ref of one push its own outcome", async () => {
    const { remote, local } = await setup();
    await writeFiles(local.dir, { "b.txt": "b\n" });
    const next = await commitAll(local.dir, "b");
    await git(local.dir, "push", "-q", remote, `${local.commit}:refs/heads/cadre/taken`);
    const outcomes = await pushEach(local.gitDir, remote, [
      { src: next, dst: "cadre/one", expect: null },
      { src: next, dst: "cadre/taken", expect: null },
      { src: next, dst: "cadre/two" },
    ]);
    expect(outcomes[0]).toEqual({ ok: true, ref: { dst: "refs/heads/cadre/one", commit: next, status: "created" } });
    expect(outcomes[1]?.ok).toBe(false);
    expect(outcomes[1]?.ok === false && outcomes[1].error.code).toBe("conflict");
    expect(outcomes[2]).toEqual({ ok: true, ref: { dst: "refs/heads/cadre/two", commit: next, status: "created" } });
    expect(await git(remote, "rev-parse", "cadre/one", "cadre/two", "cadre/taken")).toBe(
      `${next}\n${next}\n${local.commit}`,
    );
  });
});
