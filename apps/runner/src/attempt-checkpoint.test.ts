import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { EventBody } from "@cadre/protocol";
import type { Workspace, WorkspaceChange } from "@cadre/sandbox";
import { AttemptCheckpoint } from "./attempt-checkpoint.ts";
import { testMirror } from "./testing-mirror.ts";

const { dir, mirror, base, git, remove } = testMirror("cadre-runner-checkpoint-");

const refOf = (ref: string): string | null => {
  try {
    return git(["rev-parse", "--verify", "--quiet", ref]);
  } catch {
    return null;
  }
};

/** A workspace whose scan reports the given changes (the checkpoint only scans). */
function workspaceWith(changes: () => WorkspaceChange[]): Pick<Workspace, "changes"> {
  return { changes: async () => ({ changes: changes(), skipped: [] }) };
}

describe("AttemptCheckpoint", () => {
  afterAll(remove);

  it("commits nothing (and makes no ref) while a workspace at its base has no changes", async () => {
    const ref = "refs/cadre/tasks/t1/a1";
    const events: EventBody[] = [];
    const checkpoint = new AttemptCheckpoint({
      workspace: workspaceWith(() => []),
      mirror,
      base,
      head: base,
      ref,
      emit: async (e) => void events.push(e),
      publish: async () => undefined,
    });
    expect(await checkpoint.commit("first")).toBeNull();
    expect(await checkpoint.commit("second")).toBeNull();
    expect(refOf(ref)).toBeNull();
    expect(events).toEqual([]);
  });

  it("commits the first change, then only when the changes change", async () => {
    const ref = "refs/cadre/tasks/t1/a2";
    const file = join(dir, "b.txt");
    writeFileSync(file, "b\n");
    let changes: WorkspaceChange[] = [];
    const checkpoint = new AttemptCheckpoint({
      workspace: workspaceWith(() => changes),
      mirror,
      base,
      head: base,
      ref,
      emit: async () => undefined,
      publish: async () => undefined,
    });
    changes = [{ kind: "upsert", path: "b.txt", hostPath: Buffer.from(file), mode: "100644" }];
    const commit = await checkpoint.commit("with b");
    expect(commit).not.toBeNull();
    expect(refOf(ref)).toBe(commit);
    expect(git(["show", `${commit}:b.txt`])).toBe("b");
    expect(await checkpoint.commit("again")).toBeNull();
    // Every change undone: the checkpoint is the base again.
    changes = [];
    expect(await checkpoint.commit("undone")).toBe(base);
    expect(refOf(ref)).toBe(base);
  });

  it("a workspace restored from a checkpoint is committed at its first scan even with no changes", async () => {
    const ref = "refs/cadre/tasks/t1/a3";
    const checkpoint = new AttemptCheckpoint({
      workspace: workspaceWith(() => []),
      mirror,
      base,
      head: "f".repeat(40),
      ref,
      emit: async () => undefined,
      publish: async () => undefined,
    });
    expect(await checkpoint.commit("back to base")).toBe(base);
    expect(refOf(ref)).toBe(base);
  });
});
