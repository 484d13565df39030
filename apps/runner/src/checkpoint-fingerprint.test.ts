import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_LIMITS, NetworkPolicy } from "@cadre/protocol";
import { SandboxManager, type Workspace } from "@cadre/sandbox";
import { AttemptCheckpoint } from "./attempt-checkpoint.ts";

const GIT_ENV = {
  ...process.env,
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_AUTHOR_NAME: "t",
  GIT_AUTHOR_EMAIL: "t@t",
  GIT_COMMITTER_NAME: "t",
  GIT_COMMITTER_EMAIL: "t@t",
};

const dir = mkdtempSync(join(tmpdir(), "cadre-runner-fingerprint-"));
const mirror = join(dir, "mirror.git");
const git = (args: string[], input?: string): string =>
  execFileSync("git", ["--git-dir", mirror, ...args], { env: GIT_ENV, input })
    .toString()
    .trim();
execFileSync("git", ["init", "-q", "--bare", mirror], { env: GIT_ENV });
const blobOf = (name: string, content: string): string => {
  writeFileSync(join(dir, name), content);
  return git(["hash-object", "-w", join(dir, name)]);
};
const tree = git(
  ["mktree"],
  `100644 blob ${blobOf("a.txt", "a\n")}\ta.txt\n100644 blob ${blobOf("gitignore", "build/\n*.log\n")}\t.gitignore\n`,
);
const base = git(["commit-tree", "-m", "base", tree]);
const sandboxes = new SandboxManager({ root: join(dir, "sandboxes") });

async function workspace(attemptId: string): Promise<Workspace> {
  return sandboxes.provision({
    attemptId,
    mirrorPath: mirror,
    baseCommit: base,
    readOnly: false,
    environment: {
      key: "env-fingerprint",
      setupScript: "",
      maintenanceScript: "",
      variables: {},
      secrets: {},
      networkPolicy: NetworkPolicy.parse({ mode: "off" }),
      limits: DEFAULT_LIMITS,
      setupTtlMs: 3_600_000,
      image: null,
    },
  });
}

/**
 * The checkpoint's fingerprint of a real workspace's changes decides whether a checkpoint is
 * committed: the same changes give the same fingerprint (no commit), any change a new one, and
 * what the repository ignores is not part of it.
 */
describe("checkpoint fingerprints", () => {
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("commits again only when the workspace's changes change, never for ignored paths", async () => {
    const ws = await workspace(`att-fp-${process.pid}`);
    const ref = "refs/cadre/tasks/t1/fp";
    const checkpoint = new AttemptCheckpoint({
      workspace: ws,
      mirror,
      base,
      head: base,
      ref,
      emit: async () => undefined,
      publish: async () => undefined,
    });
    try {
      expect(await checkpoint.commit("untouched")).toBeNull();
      await ws.writeFile("a.txt", Buffer.from("changed\n"));
      const first = await checkpoint.commit("a changed");
      expect(first).not.toBeNull();
      expect(git(["show", `${first}:a.txt`])).toBe("changed");
      // Same tree: the same fingerprint, no new commit.
      expect(await checkpoint.commit("nothing new")).toBeNull();
      // Ignored paths (build/, *.log) are not in the changes, so not in the fingerprint.
      await ws.exec("mkdir -p build && echo out > build/out.js && echo noise > run.log");
      expect(await checkpoint.commit("only ignored files")).toBeNull();
      // A new file is a new fingerprint and a commit holding it (and still not the ignored ones).
      await ws.writeFile("b.txt", Buffer.from("b\n"));
      const second = await checkpoint.commit("b added");
      expect(second).not.toBeNull();
      expect(second).not.toBe(first);
      expect(git(["ls-tree", "-r", "--name-only", `${second}`]).split("\n")).toEqual([".gitignore", "a.txt", "b.txt"]);
      // A deletion is a change too.
      await ws.deleteFile("b.txt");
      const third = await checkpoint.commit("b removed");
      expect(third).not.toBeNull();
      expect(git(["ls-tree", "-r", "--name-only", `${third}`]).split("\n")).toEqual([".gitignore", "a.txt"]);
    } finally {
      await ws.destroy();
    }
  });
});
