import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_LIMITS, NetworkPolicy } from "@cadre/protocol";
import { SandboxManager, type Workspace } from "@cadre/sandbox";
import { AttemptCheckpoint } from "./attempt-checkpoint.ts";
import { testMirror } from "./testing-mirror.ts";

const { dir, mirror, base, git, remove } = testMirror("cadre-runner-fingerprint-", {
  "a.txt": "a\n",
  ".gitignore": "build/\n*.log\n",
});
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
    remove();
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
