import { readlink, writeFile, symlink } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CadreError } from "@cadre/protocol";
import { commitChanges, commitDirectory, type FileChange } from "./commit-changes.ts";
import { generateRepo } from "./generate-repo.ts";
import { readRef } from "./refs.ts";
import { runGit } from "./run-git.ts";
import { git, lsTree, makeRepo, showFile, tempDir } from "./test-support.ts";

describe("commitChanges", () => {
  it("round-trips upserts, deletes, exec bits and symlinks", async () => {
    const repo = await makeRepo({
      "keep.txt": "keep\n",
      "edit.txt": "old\n",
      "gone.txt": "bye\n",
      "dir/nested.txt": "n\n",
    });
    const host = await tempDir("host");
    await writeFile(join(host, "edit"), "new\n");
    await writeFile(join(host, "tool"), "#!/bin/sh\necho hi\n");
    await symlink("../keep.txt", join(host, "link"));
    await writeFile(join(host, "new"), "brand new\n");
    const changes: FileChange[] = [
      { kind: "upsert", path: "edit.txt", hostPath: join(host, "edit"), mode: "100644" },
      { kind: "upsert", path: "bin/tool", hostPath: join(host, "tool"), mode: "100755" },
      { kind: "upsert", path: "dir/link", hostPath: join(host, "link"), mode: "120000" },
      { kind: "upsert", path: "a b/new file.txt", hostPath: join(host, "new"), mode: "100644" },
      { kind: "delete", path: "gone.txt" },
    ];
    const res = await commitChanges({
      gitDir: repo.gitDir,
      parent: repo.commit,
      changes,
      message: "checkpoint",
      ref: "refs/cadre/cp/1",
    });
    expect(res.changed).toBe(true);
    expect(res.commit).not.toBe(repo.commit);
    expect(await readRef(repo.gitDir, "refs/cadre/cp/1")).toBe(res.commit);
    expect(await git(repo.dir, "rev-parse", `${res.commit}^`)).toBe(repo.commit);
    expect(await git(repo.dir, "rev-parse", `${res.commit}^{tree}`)).toBe(res.tree);
    const tree = await lsTree(repo.gitDir, res.commit);
    expect([...tree.keys()].sort()).toEqual([
      "a b/new file.txt",
      "bin/tool",
      "dir/link",
      "dir/nested.txt",
      "edit.txt",
      "keep.txt",
    ]);
    expect(tree.get("bin/tool")?.mode).toBe("100755");
    expect(tree.get("dir/link")?.mode).toBe("120000");
    expect(await showFile(repo.gitDir, res.commit, "dir/link")).toBe(await readlink(join(host, "link")));
    expect(await showFile(repo.gitDir, res.commit, "edit.txt")).toBe("new\n");
    expect(await showFile(repo.gitDir, res.commit, "a b/new file.txt")).toBe("brand new\n");
    expect(await git(repo.dir, "log", "-1", "--format=%an <%ae>|%s", res.commit)).toBe(
      "Cadre <cadre@localhost>|checkpoint",
    );

    // The same changes again: nothing to commit.
    const again = await commitChanges({ gitDir: repo.gitDir, parent: res.commit, changes, message: "again" });
    expect(again).toEqual({ commit: res.commit, tree: res.tree, changed: false });
  });

  it("uses the given author and handles a file replaced by a directory", async () => {
    const repo = await makeRepo({ x: "file\n" });
    const host = await tempDir("host");
    await writeFile(join(host, "inner"), "inner\n");
    const res = await commitChanges({
      gitDir: repo.gitDir,
      parent: "main",
      changes: [
        { kind: "delete", path: "x" },
        { kind: "upsert", path: "x/inner", hostPath: join(host, "inner"), mode: "100644" },
      ],
      message: "dir",
      author: { name: "Ada", email: "ada@example.com" },
    });
    expect(await git(repo.dir, "log", "-1", "--format=%an <%ae>", res.commit)).toBe("Ada <ada@example.com>");
    expect([...(await lsTree(repo.gitDir, res.commit)).keys()]).toEqual(["x/inner"]);
  });

  it("refuses unsafe paths and regular-file entries that are symlinks", async () => {
    const repo = await makeRepo({ a: "a\n" });
    const host = await tempDir("host");
    await symlink("/etc/passwd", join(host, "evil"));
    const bad = async (changes: FileChange[]) =>
      (
        (await commitChanges({ gitDir: repo.gitDir, parent: repo.commit, changes, message: "x" }).catch(
          (e: unknown) => e,
        )) as CadreError
      ).code;
    expect(await bad([{ kind: "delete", path: "../a" }])).toBe("bad_request");
    expect(await bad([{ kind: "delete", path: ".git/config" }])).toBe("bad_request");
    expect(await bad([{ kind: "upsert", path: "p", hostPath: join(host, "evil"), mode: "100644" }])).toBe(
      "bad_request",
    );
    expect(await bad([{ kind: "upsert", path: "p", hostPath: join(host, "missing"), mode: "100644" }])).toBe(
      "bad_request",
    );
  });

  it("commits any name git can store, byte for byte: dashes, colons, line breaks, quotes, non-UTF-8", async () => {
    const repo = await makeRepo({ "keep.txt": "keep\n" });
    const host = await tempDir("host");
    const names: (string | Buffer)[] = [
      "-rf",
      ":(top)x",
      "line\nbreak",
      "tab\there",
      '"quoted"',
      "back\\slash",
      "dir/ trailing space ",
      Buffer.from([0x6c, 0x61, 0x74, 0x69, 0x6e, 0xe9]),
    ];
    const changes: FileChange[] = [];
    for (const [i, name] of names.entries()) {
      // The host file's own name is awkward too: the quoting must carry it to hash-object.
      const hostPath = Buffer.concat([Buffer.from(join(host, `f${i}\n`)), Buffer.from([0xff])]);
      await writeFile(hostPath, `content ${i}\n`);
      changes.push({ kind: "upsert", path: name, hostPath, mode: "100644" });
    }
    const res = await commitChanges({ gitDir: repo.gitDir, parent: repo.commit, changes, message: "names" });
    const listed = await runGit([`--git-dir=${repo.gitDir}`, "ls-tree", "-r", "-z", "--name-only", res.commit]);
    const stored = listed.stdout
      .toString("latin1")
      .split("\0")
      .filter(Boolean)
      .map((n) => Buffer.from(n, "latin1"));
    for (const name of names) expect(stored.some((n) => n.equals(Buffer.from(name)))).toBe(true);
    const blob = await runGit([`--git-dir=${repo.gitDir}`, "cat-file", "blob", `${res.commit}:line\nbreak`]);
    expect(blob.stdout.toString()).toBe("content 2\n");
  });

  it("refuses what git cannot store instead of letting update-index skip it silently", async () => {
    const repo = await makeRepo({ a: "a\n" });
    const host = await tempDir("host");
    await writeFile(join(host, "f"), "x\n");
    for (const path of ["vendor/.git/config", ".GIT/x", "git~1/x", "a/./b", "a/"]) {
      const error = (await commitChanges({
        gitDir: repo.gitDir,
        parent: repo.commit,
        changes: [{ kind: "upsert", path, hostPath: join(host, "f"), mode: "100644" }],
        message: "x",
      }).catch((e: unknown) => e)) as CadreError;
      expect(error.code, path).toBe("bad_request");
    }
  });

  it("commits a few changes in a large repository from the changed paths alone", async () => {
    const dir = await tempDir("big");
    const gen = await generateRepo(dir, 5_000);
    const gitDir = join(dir, ".git");
    const host = await tempDir("host");
    const changes: FileChange[] = [];
    for (const [k, path] of [gen.paths[10], gen.paths[2500], gen.paths[4999]].entries()) {
      await writeFile(join(host, `f${k}`), `changed ${k}\n`);
      changes.push({ kind: "upsert", path: path as string, hostPath: join(host, `f${k}`), mode: "100644" });
    }
    // The work tree is never read on this path: make it unreadable to prove it.
    await writeFile(join(dir, gen.paths[0] as string), "garbage that must not be committed\n");
    const fast = await commitChanges({ gitDir, parent: gen.commit, changes, message: "three" });
    expect(fast.changed).toBe(true);
    expect(await git(dir, "diff-tree", "-r", "--name-only", gen.commit, fast.commit)).toBe(
      changes
        .map((c) => c.path)
        .sort()
        .join("\n"),
    );
    for (const [k, c] of changes.entries()) await writeFile(join(dir, String(c.path)), `changed ${k}\n`);
    await git(dir, "checkout", "--", gen.paths[0] as string);
    const slow = await commitDirectory({ gitDir, parent: gen.commit, workTree: dir, message: "three" });
    expect(slow.tree).toBe(fast.tree);
  });
});

describe("commitDirectory", () => {
  it("commits a whole directory, ignoring .git, with no-op detection", async () => {
    const repo = await makeRepo({ "a.txt": "a\n", "b.txt": "b\n" });
    await writeFile(join(repo.dir, "a.txt"), "A\n");
    await writeFile(join(repo.dir, "c.txt"), "c\n");
    await git(repo.dir, "rm", "-q", "--cached", "b.txt");
    const { rm } = await import("node:fs/promises");
    await rm(join(repo.dir, "b.txt"));
    const res = await commitDirectory({ gitDir: repo.gitDir, parent: repo.commit, workTree: repo.dir, message: "dir" });
    expect([...(await lsTree(repo.gitDir, res.commit)).keys()].sort()).toEqual(["a.txt", "c.txt"]);
    const again = await commitDirectory({
      gitDir: repo.gitDir,
      parent: res.commit,
      workTree: repo.dir,
      message: "dir",
    });
    expect(again.changed).toBe(false);
    expect(again.commit).toBe(res.commit);
  });
});
