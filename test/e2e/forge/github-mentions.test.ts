import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ForgeDelivery, TaskWithAttempts } from "@cadre/protocol";
import type { ScriptContext, Step } from "../../support/scripted-model/index.ts";
import { FIX_PATCH } from "../../support/fixture-repo.ts";
import { lastUserText, patchStep, promptOf, shellStep, turnStep, updateFile } from "../../support/script-helpers.ts";
import type { RepoState, Thread } from "../../support/github-double/index.ts";
import {
  argvContaining,
  expectNoProblems,
  filesContaining,
  startForgeWorld,
  until,
  type ForgeWorld,
} from "./forge-world.ts";

const FIX_MUL = updateFile("calc.mjs", "export function mul(a, b) {", "  return a * b;", "  return Math.imul(a, b);");
const NUMBERS = updateFile(
  "calc.mjs",
  "export function add(a, b) {",
  "  return a + b;",
  "  return Number(a) + Number(b);",
);

/** The fix for a mention on the issue; a follow-up for each later instruction. */
function script(ctx: ScriptContext): Step {
  const step = turnStep(ctx);
  const last = lastUserText(ctx);
  if (last.includes("Math.imul")) return step === 0 ? patchStep(FIX_MUL) : { text: "mul() uses Math.imul now." };
  if (last.includes("Number()")) return step === 0 ? patchStep(NUMBERS) : { text: "add() converts its arguments." };
  if (promptOf(ctx).includes("fix this"))
    return (
      [patchStep(FIX_PATCH), shellStep("node test.mjs"), { text: "Fixed add(): it subtracted. The tests pass." }][
        step
      ] ?? { text: "done" }
    );
  return { text: "Nothing to do." };
}

describe("GitHub mentions: a writer's comment becomes a task and a pull request", () => {
  let world: ForgeWorld;
  let repo: RepoState;
  let issue: Thread;
  let task: TaskWithAttempts;
  let prNumber = 0;

  beforeAll(async () => {
    world = await startForgeWorld({ script });
    ({ state: repo } = await world.addRepo("acme/calc"));
    await world.h.json(["user", "add", "alice-c", "--forge-login", "gh:alice"]);
  });
  afterAll(async () => world?.stop());

  const deliveries = async () =>
    (await world.h.server.client.call("listForgeDeliveries", { params: { name: "gh" }, query: { limit: 200 } })).items;
  const processed = (id: string) =>
    until(`delivery ${id} to be processed`, async () =>
      (await deliveries()).find((d: ForgeDelivery) => d.deliveryId === id && d.state !== "pending"),
    );

  it("prints the steps to add the webhook when its token may not, and connects the repo", async () => {
    const other = await world.gh.createRepo("acme/other", {
      files: { "a.txt": "a\n" },
      collaborators: { "cadre-bot": "write" },
    });
    const added = await world.h.cli(["repo", "add", world.gh.cloneUrl(other), "--forge", "gh"]);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toContain(`Payload URL: ${world.forge.webhookUrl}`);
    expect(added.stdout).toContain("Content type: application/json");
    expect(world.forge.webhookUrl).toBe(`${world.h.server.url}/api/v1/forges/gh/webhook`);
  });

  it("an issue comment from a writer → a task → a pull request with the fix, Closes #N, the issue commented", async () => {
    const hidden = await argvContaining(world.secrets, async () => {
      ({ thread: issue } = await world.gh.openIssue(
        repo,
        "alice",
        "add() subtracts",
        "add(2, 3) returns -1 instead of 5.",
      ));
      const { comment, deliveries: sent } = await world.gh.comment(
        repo,
        "alice",
        issue.number,
        "@cadre fix this and run the tests",
      );
      expect(sent.map((d) => d.status)).toEqual([202]);
      expect(JSON.parse(sent[0]?.response ?? "{}")).toMatchObject({ ok: true, duplicate: false });
      const pr = await until("the pull request", () => [...repo.threads.values()].find((t) => t.pull));
      prNumber = pr.number;
      await until("the issue to be told", () => issue.comments.find((c) => c.body.startsWith("Opened pull request #")));
      const found = (await world.tasks()).find(
        (t) => t.origin?.kind === "forge" && t.origin.thread.number === issue.number,
      );
      expect(found).toBeDefined();
      task = found as TaskWithAttempts;
      expect(issue.reactions.map((r) => [r.content, r.user, r.commentId])).toEqual([["eyes", "cadre-bot", comment.id]]);
    });
    expect(hidden).toEqual([]);
    const pr = repo.threads.get(prNumber) as Thread;
    expect(task).toMatchObject({
      createdBy: "alice-c",
      origin: { kind: "forge", forge: "gh", repoPath: "acme/calc", author: "alice" },
    });
    expect(task.prompt).toContain("fix this and run the tests");
    expect(task.prompt).toContain("add() subtracts");
    expect(task.prompt).toContain("add(2, 3) returns -1 instead of 5.");
    expect(pr.title).toBe(task.title);
    expect(pr.user).toBe("cadre-bot");
    expect(pr.body).toContain(`Closes #${issue.number}`);
    expect(pr.body).toContain("Fixed add(): it subtracted.");
    expect(pr.body).toContain("`calc.mjs` (+1 −1)");
    expect(pr.body).toContain(`${world.h.server.url}/tasks/${task.id}`);
    expect(pr.pull?.headRef).toMatch(/^cadre\//);
    expect(world.gh.show(repo, `refs/heads/${pr.pull?.headRef}`, "calc.mjs")).toContain("return a + b;");
    expect(world.gh.gitIn(repo, "log", "-1", "--format=%B", `refs/heads/${pr.pull?.headRef}`)).toContain(
      `Cadre-Task: ${task.id}`,
    );
    const comments = issue.comments.filter((c) => c.user === "cadre-bot").map((c) => c.body);
    expect(comments[0]).toBe(`Cadre is on it: ${world.h.server.url}/tasks/${task.id}`);
    expect(comments).toContain(`Opened pull request #${prNumber}: ${world.gh.webUrl}/acme/calc/pull/${prNumber}`);
    const shown = await world.task(task.id);
    expect(shown.review).toMatchObject({
      state: "pending",
      delivery: { kind: "pull_request", number: prNumber, state: "open", forge: "gh" },
    });
    expectNoProblems(world);
  });

  it("the same comment from a reader → nothing: no task, no reply", async () => {
    const before = (await world.tasks()).length;
    const commentsBefore = issue.comments.length;
    const { deliveries: sent } = await world.gh.comment(repo, "bob", issue.number, "@cadre fix this and run the tests");
    const delivery = await processed(sent[0]?.id ?? "");
    expect(delivery).toMatchObject({ state: "ignored", outcome: expect.stringContaining("bob may not write") });
    await world.gh.idle();
    expect((await world.tasks()).length).toBe(before);
    expect(issue.comments.length).toBe(commentsBefore + 1);
    expect(issue.reactions.filter((r) => r.commentId === issue.comments.at(-1)?.id)).toEqual([]);
  });

  it("a comment on Cadre's pull request → a new commit on the same branch, still one pull request", async () => {
    const pr = repo.threads.get(prNumber) as Thread;
    const before = pr.pull?.headSha as string;
    await world.gh.comment(repo, "alice", prNumber, "@cadre make mul() use Math.imul");
    const after = await until("a new commit on the branch", () =>
      pr.pull?.headSha !== before ? pr.pull?.headSha : null,
    );
    expect(world.gh.gitIn(repo, "rev-parse", `${after}^`).trim()).toBe(before);
    expect(world.gh.show(repo, after, "calc.mjs")).toContain("Math.imul(a, b)");
    expect(world.gh.show(repo, after, "calc.mjs")).toContain("return a + b;");
    expect([...repo.threads.values()].filter((t) => t.pull)).toHaveLength(1);
    expect((await world.task(task.id)).attempts[0]?.turnCount).toBe(2);
    await until("the pull request to say so", () =>
      pr.comments.find((c) => c.body.startsWith(`Pushed ${after.slice(0, 12)}`)),
    );
  });

  it("a review comment on a changed line → a follow-up that knows its file and line", async () => {
    const pr = repo.threads.get(prNumber) as Thread;
    const before = pr.pull?.headSha as string;
    await world.gh.reviewComment(repo, "alice", prNumber, {
      path: "calc.mjs",
      line: 2,
      body: "@cadre wrap the arguments in Number() here",
    });
    await until("the follow-up commit", () => (pr.pull?.headSha !== before ? pr.pull?.headSha : null));
    const turns = await world.h.server.client.call("listTurns", { params: { id: task.attempts[0]?.id ?? "" } });
    expect(turns.items.at(-1)?.prompt).toContain("review comment on calc.mjs line 2");
    expect(pr.reactions.some((r) => r.content === "eyes" && r.commentId === pr.pull?.reviewComments.at(-1)?.id)).toBe(
      true,
    );
  });

  it("merging the pull request on GitHub marks the task applied", async () => {
    await world.gh.closePull(repo, "alice", prNumber, true);
    const done = await until("the review to follow", async () => {
      const t = await world.task(task.id);
      return t.review.state === "applied" ? t : null;
    });
    expect(done.review).toMatchObject({
      state: "applied",
      by: "alice",
      delivery: { kind: "pull_request", state: "merged" },
    });
  });

  it("the token and the webhook secret are in no file, log, event or answer", async () => {
    expect(await filesContaining(world.h.home, world.secrets)).toEqual([]);
    const logs = world.h.server.logs();
    for (const secret of world.secrets) expect(logs).not.toContain(secret);
    for (const t of await world.tasks()) {
      const events = JSON.stringify(await world.h.events(t.id));
      for (const secret of world.secrets) expect(events).not.toContain(secret);
    }
    const answers = JSON.stringify([
      await world.h.server.client.call("listForges"),
      await world.h.server.client.call("getForge", { params: { name: "gh" } }),
      await world.h.server.client.call("listRepos"),
      await deliveries(),
    ]);
    for (const secret of world.secrets) expect(answers).not.toContain(secret);
    expectNoProblems(world);
  });
});
