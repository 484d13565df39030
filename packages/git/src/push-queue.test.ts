import { readFile, writeFile, chmod } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CadreError } from "@cadre/protocol";
import { queuedPush } from "./push-queue.ts";
import { commitAll, git, makeRepo, tempDir, writeFiles } from "./test-support.ts";

describe("queuedPush", () => {
  it("pushes the refs asked for while a push runs in one next push, each with its own result", async () => {
    const remote = await tempDir("remote");
    await git(remote, "init", "-q", "--bare", "-b", "main");
    const pushes = join(remote, "pushes.log");
    // One line per push the remote receives.
    await writeFile(join(remote, "hooks", "pre-receive"), `#!/bin/sh\ncat > /dev/null\necho push >> '${pushes}'\n`);
    await chmod(join(remote, "hooks", "pre-receive"), 0o755);
    const local = await makeRepo({ "a.txt": "a\n" });
    await git(local.dir, "push", "-q", remote, "main", `main:refs/heads/cadre/taken`);
    const commits: string[] = [];
    for (let i = 0; i < 5; i++) {
      await writeFiles(local.dir, { [`file-${i}.txt`]: `${i}\n` });
      commits.push(await commitAll(local.dir, `change ${i}`));
    }
    await writeFile(pushes, "");

    const results = await Promise.all([
      ...commits.map((commit, i) =>
        queuedPush(local.gitDir, remote, { src: commit, dst: `refs/heads/cadre/task-${i}`, expect: null }),
      ),
      queuedPush(local.gitDir, remote, { src: commits[0] as string, dst: "cadre/taken", expect: null }).catch(
        (error: unknown) => error,
      ),
    ]);
    expect(results.slice(0, 5)).toEqual(
      commits.map((commit, i) => ({ dst: `refs/heads/cadre/task-${i}`, commit, status: "created" })),
    );
    expect(results[5]).toBeInstanceOf(CadreError);
    expect((results[5] as CadreError).code).toBe("conflict");

    for (const [i, commit] of commits.entries()) expect(await git(remote, "rev-parse", `cadre/task-${i}`)).toBe(commit);
    // The first two went at once, each alone; the four asked for meanwhile went together.
    expect((await readFile(pushes, "utf8")).trim().split("\n")).toHaveLength(3);
  });

  it("fails only the request git cannot be asked about, not the others of its batch", async () => {
    const remote = await tempDir("remote");
    await git(remote, "init", "-q", "--bare", "-b", "main");
    const local = await makeRepo({ "a.txt": "a\n" });
    const pushes = ["one", "two", "three"].map((name) =>
      queuedPush(local.gitDir, remote, { src: local.commit, dst: `cadre/${name}` }),
    );
    const missing = queuedPush(local.gitDir, remote, { src: "refs/heads/no-such-branch", dst: "cadre/none" });
    expect((await missing.catch((error: unknown) => error)) as CadreError).toMatchObject({ code: "not_found" });
    expect((await Promise.all(pushes)).map((pushed) => pushed.status)).toEqual(["created", "created", "created"]);
    expect(await git(remote, "rev-parse", "cadre/three")).toBe(local.commit);
  });
});
