import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TaskWithAttempts } from "@cadre/protocol";
import { addFile, lastUserText, patchStep, turnStep } from "../../support/script-helpers.ts";
import type { ScriptContext, Step } from "../../support/scripted-model/index.ts";
import type { RepoState, Thread } from "../../support/github-double/index.ts";
import { expectNoProblems, startForgeWorld, until, type ForgeWorld } from "./forge-world.ts";

/** Each instruction names the file the agent adds: `ADD <file>`. */
function script(ctx: ScriptContext): Step {
  const file = /ADD (\S+)/.exec(lastUserText(ctx))?.[1];
  if (!file) return { text: "Nothing to do." };
  return turnStep(ctx) === 0 ? patchStep(addFile(file, `${file}\n`)) : { text: `Added ${file}.` };
}

describe("GitHub: a mention on someone else's pull request works on its head branch", () => {
  let world: ForgeWorld;
  let repo: RepoState;

  beforeAll(async () => {
    world = await startForgeWorld({ script });
    ({ state: repo } = await world.addRepo("acme/calc"));
  });
  afterAll(async () => world?.stop());

  const pulls = (state: RepoState) => [...state.threads.values()].filter((t) => t.pull);
  const taskOn = (number: number, state: RepoState = repo) =>
    until(`the task of #${number}`, async () =>
      (await world.tasks()).find(
        (t) => t.origin?.kind === "forge" && t.origin.repoPath === state.fullName && t.origin.thread.number === number,
      ),
    );
  const finished = (id: string) =>
    until(`task ${id} to finish`, async () => {
      const task = await world.task(id);
      return task.attempts[0]?.status === "completed" ? task : null;
    });
  const cadreSaid = (thread: Thread, start: string) =>
    until(`Cadre to say "${start}…" on #${thread.number}`, () =>
      thread.comments.find((c) => c.user === "cadre-bot" && c.body.startsWith(start)),
    );
  /** Alice's branch with one commit of hers, and her pull request from it. */
  const alicesPull = async (state: RepoState, branch: string) => {
    const head = await world.gh.pushFiles(state, {
      by: "alice",
      branch,
      files: { [`${branch}.md`]: "notes\n" },
      message: "Notes",
    });
    const { thread } = await world.gh.openPull(state, "alice", { head: branch, title: `Work on ${branch}` });
    return { head, thread };
  };

  it("starts on the pull request's head, pushes the commit back to its branch (no new pull request) and says so", async () => {
    const { head, thread } = await alicesPull(repo, "feature/notes");
    await world.gh.comment(repo, "alice", thread.number, "@cadre ADD notes-index.txt");
    const task: TaskWithAttempts = await taskOn(thread.number);
    expect(task.baseCommit).toBe(head);
    const pushed = await until("a commit on alice's branch", () =>
      thread.pull?.headSha !== head ? thread.pull?.headSha : null,
    );
    expect(world.gh.gitIn(repo, "rev-parse", `${pushed}^`).trim()).toBe(head);
    expect(world.gh.show(repo, pushed, "notes-index.txt")).toBe("notes-index.txt\n");
    expect(world.gh.show(repo, pushed, "feature/notes.md")).toBe("notes\n");
    expect(world.gh.gitIn(repo, "log", "-1", "--format=%B", pushed)).toContain(`Cadre-Task: ${task.id}`);
    await cadreSaid(thread, `Pushed ${pushed.slice(0, 12)} to \`feature/notes\`.`);
    expect(pulls(repo)).toHaveLength(1);
    expect(world.gh.gitIn(repo, "for-each-ref", "--format=%(refname)", "refs/heads/cadre")).toBe("");
    expect((await world.task(task.id)).review.delivery).toMatchObject({
      kind: "pull_request",
      number: thread.number,
      branch: "feature/notes",
      commit: pushed,
    });

    // A second mention there: one more commit on the same branch, still no pull request of Cadre's.
    await world.gh.comment(repo, "alice", thread.number, "@cadre ADD notes-more.txt");
    const again = await until("the follow-up commit", () =>
      thread.pull?.headSha !== pushed ? thread.pull?.headSha : null,
    );
    expect(world.gh.gitIn(repo, "rev-parse", `${again}^`).trim()).toBe(pushed);
    expect(world.gh.show(repo, again, "notes-more.txt")).toBe("notes-more.txt\n");
    await cadreSaid(thread, `Pushed ${again.slice(0, 12)} to \`feature/notes\`.`);
    expect(pulls(repo)).toHaveLength(1);
    expect((await world.tasks()).filter((t) => t.origin?.kind === "forge")).toHaveLength(1);
    expectNoProblems(world);
  });

  it("a fork's pull request: the task works on the fork's head, and Cadre says it pushed nothing and what to do", async () => {
    const fork = await world.gh.forkRepo(repo, "dave");
    const head = await world.gh.pushFiles(fork, {
      by: "dave",
      branch: "patch-1",
      files: { "dave.txt": "dave\n" },
      message: "Dave's patch",
    });
    const { thread } = await world.gh.openPull(repo, "dave", {
      head: "patch-1",
      headRepo: fork,
      title: "Dave's patch",
    });
    const branchesBefore = world.gh.gitIn(repo, "for-each-ref", "--format=%(refname) %(objectname)", "refs/heads");
    await world.gh.comment(repo, "alice", thread.number, "@cadre ADD fork-note.txt");
    const task = await taskOn(thread.number);
    expect(task.baseCommit).toBe(head);
    const note = await cadreSaid(thread, "Cadre made the change but pushed nothing");
    expect(note.body).toContain("its branch `patch-1` is on the fork dave/calc");
    expect(note.body).toContain(`cadre apply ${task.id}`);
    expect(note.body).toContain(`${world.h.server.url}/tasks/${task.id}`);
    const done = await finished(task.id);
    expect(done.attempts[0]?.changes).toMatchObject({ filesChanged: 1, additions: 1 });
    await world.gh.idle();
    expect(world.gh.gitIn(fork, "rev-parse", "refs/heads/patch-1").trim()).toBe(head);
    expect(thread.pull?.headSha).toBe(head);
    expect(world.gh.gitIn(repo, "for-each-ref", "--format=%(refname) %(objectname)", "refs/heads")).toBe(
      branchesBefore,
    );
    expect(pulls(repo)).toHaveLength(2);
    expect(thread.comments.some((c) => c.user === "cadre-bot" && c.body.startsWith("Pushed"))).toBe(false);
    expectNoProblems(world);
  });

  it("a protected branch refuses Cadre's push: Cadre says so with what to do, and the branch stays as it was", async () => {
    const { head, thread } = await alicesPull(repo, "release-1");
    await world.gh.protectBranch(repo, "release-1");
    await world.gh.comment(repo, "alice", thread.number, "@cadre ADD release-note.txt");
    const task = await taskOn(thread.number);
    const note = await cadreSaid(thread, "Cadre made the change but pushed nothing");
    expect(note.body).toContain("the forge refused Cadre's push to `release-1`");
    expect(note.body).toContain(`cadre apply ${task.id}`);
    await world.gh.idle();
    expect(world.gh.gitIn(repo, "rev-parse", "refs/heads/release-1").trim()).toBe(head);
    expect(thread.pull?.headSha).toBe(head);
    expect((await world.task(task.id)).review.delivery ?? null).toBeNull();
    expectNoProblems(world);
  });

  it("no write permission for Cadre's account: it says so before pushing, and pushes nothing", async () => {
    const { state: docs } = await world.addRepo("acme/docs", { collaborators: { "cadre-bot": "read" } });
    const { head, thread } = await alicesPull(docs, "typo");
    await world.gh.comment(docs, "alice", thread.number, "@cadre ADD typo-fix.txt");
    const task = await taskOn(thread.number, docs);
    const note = await cadreSaid(thread, "Cadre made the change but pushed nothing");
    expect(note.body).toContain("Cadre's credentials may not push to acme/docs");
    await world.gh.idle();
    expect(world.gh.gitIn(docs, "rev-parse", "refs/heads/typo").trim()).toBe(head);
    expect(world.gh.gitIn(docs, "for-each-ref", "--format=%(refname)", "refs/heads/cadre")).toBe("");
    expect((await world.task(task.id)).review.delivery ?? null).toBeNull();
    expect(world.gh.requests.filter((r) => r.method === "POST" && /\/repos\/acme\/docs\/pulls$/.test(r.path))).toEqual(
      [],
    );
    expectNoProblems(world);
  });
});
