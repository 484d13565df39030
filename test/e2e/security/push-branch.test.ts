import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import type { TaskWithAttempts } from "@cadre/protocol";
import type { ScriptContext, Step } from "../../support/scripted-model/index.ts";
import { startHarness, type Harness } from "../../support/cadre-harness.ts";
import { createOrigin, git, pushChange } from "../../support/origin-repo.ts";
import { patchStep, promptOf, turnStep, updateFile } from "../../support/script-helpers.ts";

const FILES = { "app.txt": "name: app\nversion 1\n", "README.md": "# app\n" };

/** Every task makes the same small change; what the tests attack is where approve pushes it. */
function script(ctx: ScriptContext): Step {
  return turnStep(ctx) === 0
    ? patchStep(updateFile("app.txt", "name: app", "version 1", "version 2"))
    : { text: `Bumped the version (${promptOf(ctx).slice(0, 20)}).` };
}

/**
 * Hole 6: `approve --push-branch <name>` force-pushed the attempt over whatever branch was named,
 * including the default branch and branches holding other people's commits. A member could
 * rewrite protected history with the server's credentials.
 */
describe("approve --push-branch never pushes over a branch Cadre does not own", () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ script, fixtureRepo: false });
  });
  afterAll(async () => h?.stop());

  async function setup(name: string) {
    const repo = await createOrigin(join(h.work, "origins", name), FILES);
    await h.json(["repo", "add", repo.origin, "--name", name]);
    const task = await h.json<TaskWithAttempts>([
      "task",
      "new",
      `bump the version of ${name}`,
      "--repo",
      name,
      "--wait",
    ]);
    expect(task.status).toBe("completed");
    return { ...repo, task };
  }
  const refs = (origin: string) => git(origin, "for-each-ref", "--format=%(refname) %(objectname)");

  it("refuses the default branch, even when someone else's commits are on it", async () => {
    const repo = await setup("protected");
    // A colleague's commit lands on main after the task started: a force-push would erase it.
    const theirs = await pushChange(repo.clone, { "README.md": "# app\n\nImportant work.\n" }, "colleague's work");
    const before = refs(repo.origin);
    const attack = await h.cli(["approve", repo.task.id, "--push-branch", "main"]);
    expect(attack.code).toBe(4);
    expect(attack.stderr).toMatch(/main is the repository's default branch.*nothing was pushed/);
    expect(refs(repo.origin)).toBe(before);
    expect(git(repo.origin, "rev-parse", "main").trim()).toBe(theirs);
    const after = await h.json<TaskWithAttempts>(["task", "show", repo.task.id]);
    expect(after.review.state).toBe("pending");
  });

  it("refuses an existing branch Cadre did not create for the task, through the HTTP API too", async () => {
    const repo = await setup("release");
    git(repo.clone, "checkout", "-q", "-b", "release");
    git(repo.clone, "commit", "-q", "--allow-empty", "-m", "release 1.0");
    git(repo.clone, "push", "-q", "origin", "release");
    const before = refs(repo.origin);
    const cli = await h.cli(["approve", repo.task.id, "--push-branch", "release"]);
    expect(cli.code).toBe(4);
    expect(cli.stderr).toMatch(/release already exists on the origin and Cadre did not create it/);
    const api = await fetch(`${h.server.url}/api/v1/tasks/${repo.task.id}/approve`, {
      method: "POST",
      headers: { authorization: `Bearer ${h.server.token}`, "content-type": "application/json" },
      body: JSON.stringify({ pushBranch: "release" }),
    });
    expect(api.status).toBe(409);
    expect(refs(repo.origin)).toBe(before);
  });

  it("pushes its own branch without force, and will not push over a colleague's commit on it", async () => {
    const repo = await setup("own");
    const pushed = await h.json<TaskWithAttempts>(["approve", repo.task.id, "--push-branch", "cadre/bump"]);
    const delivered = pushed.review.delivery;
    expect(delivered).toMatchObject({ kind: "push_branch", branch: "cadre/bump" });
    const ours = git(repo.origin, "rev-parse", "cadre/bump").trim();
    expect(git(repo.origin, "rev-parse", "cadre/bump^").trim()).toBe(git(repo.origin, "rev-parse", "main").trim());
    // Approving again onto its own, unmoved branch is allowed (nothing new: nothing pushed).
    await h.json<TaskWithAttempts>(["approve", repo.task.id, "--push-branch", "cadre/bump"]);
    expect(git(repo.origin, "rev-parse", "cadre/bump").trim()).toBe(ours);

    git(repo.clone, "fetch", "-q", "origin");
    git(repo.clone, "checkout", "-q", "-b", "review", "origin/cadre/bump");
    git(repo.clone, "commit", "-q", "--allow-empty", "-m", "reviewer's fixup");
    git(repo.clone, "push", "-q", "origin", "review:cadre/bump");
    const theirs = git(repo.origin, "rev-parse", "cadre/bump").trim();
    const attack = await h.cli(["approve", repo.task.id, "--push-branch", "cadre/bump"]);
    expect(attack.code).toBe(4);
    expect(attack.stderr).toMatch(/commits Cadre did not make/);
    expect(git(repo.origin, "rev-parse", "cadre/bump").trim()).toBe(theirs);
  });
});
