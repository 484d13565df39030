import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TaskWithAttempts } from "@cadre/protocol";
import type { ScriptContext, Step } from "../../support/scripted-model/index.ts";
import { BUGGY_CALC, FIX_PATCH } from "../../support/fixture-repo.ts";
import { lastUserText, patchStep, promptOf, shellStep, turnStep, updateFile } from "../../support/script-helpers.ts";
import type { RepoState, ThreadState } from "../../support/gitea-double/index.ts";
import { filesContaining, until } from "./forge-world.ts";
import { startGiteaWorld, type GiteaWorld } from "./gitea-world.ts";

const FIX_MUL = updateFile("calc.mjs", "export function mul(a, b) {", "  return a * b;", "  return Math.imul(a, b);");
const README = "*** Begin Patch\n*** Update File: README.md\n@@\n-# calc\n+# calc (tested)\n*** End Patch\n";
const PLANTED = BUGGY_CALC.replace("return a * b;", "return a * b + 1;");
const BUG_LINE = PLANTED.split("\n").indexOf("  return a * b + 1;") + 1;

function script(ctx: ScriptContext): Step {
  const step = turnStep(ctx);
  const last = lastUserText(ctx);
  if (promptOf(ctx).includes("Review the following change"))
    return {
      text: `Reviewed.\n\n\`\`\`json\n${JSON.stringify([{ file: "calc.mjs", line: BUG_LINE, severity: "high", explanation: "mul() adds 1 to every product" }])}\n\`\`\``,
    };
  if (last.includes('The check "ci / lint (push)" failed'))
    return step === 0 ? patchStep(README) : { text: "README says tested." };
  if (last.includes("Math.imul")) return step === 0 ? patchStep(FIX_MUL) : { text: "mul() uses Math.imul now." };
  if (promptOf(ctx).includes("fix this"))
    return (
      [patchStep(FIX_PATCH), shellStep("node test.mjs"), { text: "Fixed add(): it subtracted. The tests pass." }][
        step
      ] ?? { text: "done" }
    );
  return { text: "Nothing to do." };
}

describe("Gitea/Forgejo: mentions, pull requests, follow-ups, reviews and CI feedback against the Gitea double", () => {
  let world: GiteaWorld;
  let repo: RepoState;
  let issue: ThreadState;
  let pull: ThreadState;
  let task: TaskWithAttempts;

  beforeAll(async () => {
    world = await startGiteaWorld({ script });
    ({ repo } = await world.addRepo("acme/calc"));
    await world.h.json(["user", "add", "alice-c", "--forge-login", "gt:alice"]);
  });
  afterAll(async () => world?.stop());

  const headOf = () => world.gt.branches(repo).get(pull.pull?.headRef ?? "") ?? "";
  const turns = async () =>
    (await world.h.server.client.call("listTurns", { params: { id: task.attempts[0]?.id ?? "" } })).items;

  it("connects the repository and adds Cadre's signed webhook", () => {
    expect(world.forge).toMatchObject({ kind: "gitea", webUrl: world.gt.webUrl });
    expect(repo.hooks).toHaveLength(1);
    expect(repo.hooks[0]).toMatchObject({ url: world.forge.webhookUrl, secret: "gtwh-3b5d7f9a1c2e4f60" });
    expect(repo.hooks[0]?.events).toEqual(expect.arrayContaining(["issue_comment", "pull_request", "status"]));
  });

  it("refuses --poll for Gitea (it must reach the webhook), saying what to do, and saves nothing", async () => {
    const added = await world.h.cli([
      "forge",
      "add",
      "gt-poll",
      "--kind",
      "gitea",
      "--api-url",
      world.gt.apiUrl,
      "--token-env",
      "GT_TOKEN",
      "--webhook-secret-env",
      "GT_WEBHOOK_SECRET",
      "--poll",
      "60",
    ]);
    expect(added.code).not.toBe(0);
    expect(added.stderr).toContain("Gitea cannot be polled: leave out --poll and add Cadre's webhook");
    const { items } = await world.h.server.client.call("listForges");
    expect(items.map((f) => f.name)).toEqual(["gt"]);
  });

  it("a writer's comment on an issue → a task → a pull request with the fix, Closes #N, the issue told", async () => {
    ({ thread: issue } = await world.gt.openIssue(
      repo,
      "alice",
      "add() subtracts",
      "add(2, 3) returns -1 instead of 5.",
    ));
    const { comment, deliveries: sent } = await world.gt.comment(repo, {
      by: "alice",
      thread: issue,
      body: "@cadre fix this and run the tests",
    });
    expect(sent.map((d) => d.status)).toEqual([202]);
    pull = await until("the pull request", () => world.gt.pullByBranch(repo, "cadre/"));
    await until("the issue to be told", () => issue.comments.find((c) => c.body.startsWith("Opened pull request #")));
    task = (await world.tasks()).find(
      (t) => t.origin?.kind === "forge" && t.origin.thread.number === issue.number,
    ) as TaskWithAttempts;
    expect(task).toMatchObject({
      createdBy: "alice-c",
      origin: { kind: "forge", forge: "gt", repoPath: "acme/calc", author: "alice" },
    });
    expect(task.prompt).toContain("add(2, 3) returns -1 instead of 5.");
    expect(pull).toMatchObject({ user: "cadre-bot", title: task.title });
    expect(pull.body).toContain(`Closes #${issue.number}`);
    expect(world.gt.show(repo, pull.pull?.headSha ?? "", "calc.mjs")).toContain("return a + b;");
    expect(comment.reactions).toEqual([{ content: "eyes", user: "cadre-bot" }]);
    expect(world.gt.problems()).toEqual([]);
  });

  it("the same comment from a reader → nothing: no task, no reply", async () => {
    const before = (await world.tasks()).length;
    const { comment, deliveries: sent } = await world.gt.comment(repo, {
      by: "bob",
      thread: issue,
      body: "@cadre fix this and run the tests",
    });
    expect(await world.processed(sent[0]?.id ?? "")).toMatchObject({
      state: "ignored",
      outcome: expect.stringContaining("bob may not write"),
    });
    expect((await world.tasks()).length).toBe(before);
    expect(issue.comments.at(-1)).toBe(comment);
    expect(comment.reactions).toEqual([]);
  });

  it("a comment on Cadre's pull request → a new commit on the same branch, still one pull request", async () => {
    const before = headOf();
    await world.gt.comment(repo, { by: "alice", thread: pull, body: "@cadre make mul() use Math.imul" });
    const after = await until("a new commit", () => (headOf() !== before ? headOf() : null));
    expect(world.gt.git(repo, "rev-parse", `${after}^`).trim()).toBe(before);
    expect(world.gt.show(repo, after, "calc.mjs")).toContain("Math.imul(a, b)");
    expect([...repo.threads.values()].filter((t) => t.pull)).toHaveLength(1);
    await until("Cadre to say it pushed", () =>
      pull.comments.find((c) => c.body.startsWith(`Pushed ${after.slice(0, 12)}`)),
    );
  });

  it("a failed commit status (Gitea Actions) on Cadre's pull request → a follow-up with its output", async () => {
    const before = headOf();
    const { deliveries: sent } = await world.gt.setStatus(repo, {
      sha: before,
      state: "failure",
      context: "ci / lint (push)",
      description: "Failing after 12s",
      by: "gitea-actions",
      log: "Run node lint.mjs\nFAIL lint: README.md lacks the word tested\n❌ Failure - Main lint\n",
    });
    expect((await world.processed(sent[0]?.id ?? "")).outcome).toContain("follow-up 1 of 2");
    const after = await until("the CI follow-up commit", () => (headOf() !== before ? headOf() : null));
    expect(world.gt.show(repo, after, "README.md")).toContain("# calc (tested)");
    const prompt = (await turns()).at(-1)?.prompt ?? "";
    expect(prompt).toContain('The check "ci / lint (push)" failed (failure)');
    expect(prompt).toContain("The end of the job's log:");
    expect(prompt).toContain("FAIL lint: README.md lacks the word tested");
    expect(world.gt.problems()).toEqual([]);
  });

  it("@cadre review on someone's pull request → a review with an inline comment on the changed line and a status", async () => {
    const head = await world.gt.pushFiles(repo, {
      by: "alice",
      branch: "feature/mul",
      files: { "calc.mjs": PLANTED },
      message: "Speed up mul()",
    });
    const theirs = world.gt.openPull(repo, {
      user: "alice",
      head: "feature/mul",
      base: "main",
      title: "Speed up mul()",
      body: "",
    });
    if (!theirs) throw new Error("the double did not open the pull request");
    await world.gt.comment(repo, { by: "alice", thread: theirs, body: "@cadre review" });
    const review = await until("the review", () => theirs.pull?.reviews.find((r) => r.user === "cadre-bot"));
    expect(review).toMatchObject({ event: "COMMENT", commitId: head });
    expect(review.comments).toHaveLength(1);
    expect(review.comments[0]).toMatchObject({ path: "calc.mjs", line: BUG_LINE, user: "cadre-bot" });
    expect(review.comments[0]?.body).toContain("**high**: mul() adds 1 to every product");
    const status = await until("the final 'Cadre review' status", () =>
      repo.statuses.findLast((s) => s.context === "Cadre review" && s.sha === head && s.state !== "pending"),
    );
    expect(status.state).toBe("success");
    expect(world.gt.problems()).toEqual([]);
  });

  it("an --on push automation and an --on label: automation start runs from Gitea's push and issue_label hooks", async () => {
    const add = (name: string, on: string, prompt: string) =>
      world.h.json(["automation", "add", name, "--repo", "calc", "--on", on, "--prompt", prompt, "--mode", "ask"]);
    await add("gt-push", "push:main", "Check the new commits on main.");
    await add("gt-label", "label:cadre-fix", "Look at the labelled issue.");
    const head = await world.gt.pushFiles(repo, {
      by: "alice",
      branch: "main",
      files: { "NOTES.md": "notes\n" },
      message: "Add notes",
    });
    const pushed = await until("the push hook", () =>
      world.gt.hooks.deliveries.find((d) => d.event === "push" && d.body.includes(`"after":"${head}"`)),
    );
    expect(pushed.status).toBe(202);
    const pushRun = await world.runOf("gt-push");
    expect(pushRun.baseCommit).toBe(head);
    expect(pushRun.prompt).toContain(`a push to the branch main (now at ${head})`);
    expect(pushRun.origin).toMatchObject({
      kind: "automation",
      name: "gt-push",
      detail: `push to main at ${head.slice(0, 12)}`,
    });

    const { thread: labelled } = await world.gt.openIssue(repo, "alice", "mul() is slow", "Make it faster.");
    const [other] = await world.gt.labelIssue(repo, "alice", labelled, "question");
    expect(other?.headers["X-Gitea-Event-Type"]).toBe("issue_label");
    expect((await world.processed(other?.id ?? "")).state).toBe("ignored");
    const [sent] = await world.gt.labelIssue(repo, "alice", labelled, "cadre-fix");
    expect(sent?.status).toBe(202);
    const labelRun = await world.runOf("gt-label");
    expect(labelRun.prompt).toContain(`the label "cadre-fix" on issue #${labelled.number}`);
    // Gitea reports every label on each change: a later one starts no second run for cadre-fix.
    const [later] = await world.gt.labelIssue(repo, "alice", labelled, "perf");
    await world.processed(later?.id ?? "");
    expect((await world.automation("gt-label")).lastRuns).toHaveLength(1);
    // Cadre's own pushes (its cadre/ branches) reached the webhook and started no run.
    expect(
      world.gt.hooks.deliveries.some((d) => d.event === "push" && d.body.includes('"ref":"refs/heads/cadre/')),
    ).toBe(true);
    expect((await world.automation("gt-push")).lastRuns).toHaveLength(1);
    expect(world.gt.problems()).toEqual([]);
  });

  it("a bad X-Gitea-Signature → 401 and nothing stored; a redelivery → nothing twice", async () => {
    const { deliveries: forged } = await world.gt.comment(repo, {
      by: "alice",
      thread: issue,
      body: "@cadre fix this",
      secret: "guessed",
    });
    expect(forged.map((d) => d.status)).toEqual([401]);
    const sent = world.gt.hooks.deliveries.find((d) => d.event === "issue_comment" && d.status === 202);
    const again = await world.gt.hooks.redeliver(sent as NonNullable<typeof sent>);
    expect(JSON.parse(again.response)).toMatchObject({ duplicate: true });
    const stored = await world.deliveries();
    expect(stored.filter((d) => d.deliveryId === forged[0]?.id)).toEqual([]);
    expect(stored.filter((d) => d.deliveryId === sent?.id)).toHaveLength(1);
  });

  it("the token and the webhook secret are in no file, log or answer", async () => {
    expect(await filesContaining(world.h.home, world.secrets)).toEqual([]);
    const logs = world.h.server.logs();
    const answers = JSON.stringify([
      await world.h.server.client.call("getForge", { params: { name: "gt" } }),
      await world.deliveries(),
    ]);
    for (const secret of world.secrets) {
      expect(logs).not.toContain(secret);
      expect(answers).not.toContain(secret);
    }
    expect(world.gt.problems()).toEqual([]);
  });
});
