import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TaskWithAttempts } from "@cadre/protocol";
import type { ScriptContext, Step } from "../../support/scripted-model/index.ts";
import { BUGGY_CALC, FIX_PATCH } from "../../support/fixture-repo.ts";
import { lastUserText, patchStep, promptOf, shellStep, turnStep, updateFile } from "../../support/script-helpers.ts";
import type { IssueState, MergeRequestState, ProjectState } from "../../support/gitlab-double/index.ts";
import { filesContaining, until } from "./forge-world.ts";
import { startGitlabWorld, type GitlabWorld } from "./gitlab-world.ts";

const FIX_MUL = updateFile("calc.mjs", "export function mul(a, b) {", "  return a * b;", "  return Math.imul(a, b);");
const NUMBERS = updateFile(
  "calc.mjs",
  "export function add(a, b) {",
  "  return a + b;",
  "  return Number(a) + Number(b);",
);
const README = "*** Begin Patch\n*** Update File: README.md\n@@\n-# calc\n+# calc (tested)\n*** End Patch\n";
const PLANTED = BUGGY_CALC.replace("return a * b;", "return a * b + 1;");
const BUG_LINE = PLANTED.split("\n").indexOf("  return a * b + 1;") + 1;
const TRACE = "$ node test.mjs\nFAIL lint: README.md lacks the word tested\nERROR: Job failed: exit code 1\n";

function script(ctx: ScriptContext): Step {
  const step = turnStep(ctx);
  const last = lastUserText(ctx);
  if (promptOf(ctx).includes("Review the following change"))
    return {
      text: `Reviewed.\n\n\`\`\`json\n${JSON.stringify([{ file: "calc.mjs", line: BUG_LINE, severity: "high", explanation: "mul() adds 1 to every product", suggestion: "  return a * b;" }])}\n\`\`\``,
    };
  if (last.includes('The check "lint" failed')) return step === 0 ? patchStep(README) : { text: "README says tested." };
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

describe("GitLab: mentions, merge requests, follow-ups, reviews and CI feedback against the GitLab double", () => {
  let world: GitlabWorld;
  let project: ProjectState;
  let issue: IssueState;
  let mr: MergeRequestState;
  let task: TaskWithAttempts;

  beforeAll(async () => {
    world = await startGitlabWorld({ script });
    ({ project } = await world.addProject("acme/tools/calc"));
    await world.h.json(["user", "add", "alice-c", "--forge-login", "gl:alice"]);
  });
  afterAll(async () => world?.stop());

  const headOf = () => world.gl.branches(project).get(mr.sourceBranch) ?? "";
  const turns = async () =>
    (await world.h.server.client.call("listTurns", { params: { id: task.attempts[0]?.id ?? "" } })).items;

  it("connects a nested-group project and adds Cadre's webhook with its secret token", () => {
    expect(world.forge).toMatchObject({ kind: "gitlab", webUrl: world.gl.webUrl });
    expect(project.hooks).toHaveLength(1);
    expect(project.hooks[0]).toMatchObject({ url: world.forge.webhookUrl, token: "glwh-7c1e9b2d4f6a8c0e" });
    expect(project.hooks[0]?.events).toMatchObject({
      note_events: true,
      merge_requests_events: true,
      pipeline_events: true,
    });
  });

  it("a developer's note on an issue → a task → a merge request with the fix, Closes #N, the issue told", async () => {
    ({ issue } = await world.gl.openIssue(project, "alice", "add() subtracts", "add(2, 3) returns -1 instead of 5."));
    const { note, deliveries: sent } = await world.gl.comment(project, {
      by: "alice",
      on: { issue },
      body: "@cadre fix this and run the tests",
    });
    expect(sent.map((d) => d.status)).toEqual([202]);
    mr = await until("the merge request", () => world.gl.mergeRequestByBranch(project, "cadre/"));
    await until("the issue to be told", () => issue.notes.find((n) => n.body.startsWith("Opened ")));
    task = (await world.tasks()).find(
      (t) => t.origin?.kind === "forge" && t.origin.thread.number === issue.iid,
    ) as TaskWithAttempts;
    expect(task).toMatchObject({
      createdBy: "alice-c",
      origin: { kind: "forge", forge: "gl", repoPath: "acme/tools/calc", author: "alice" },
    });
    expect(task.prompt).toContain("add(2, 3) returns -1 instead of 5.");
    expect(mr).toMatchObject({ author: "cadre-bot", targetBranch: "main", title: task.title });
    expect(mr.description).toContain(`Closes #${issue.iid}`);
    expect(mr.description).toContain("Fixed add(): it subtracted.");
    expect(world.gl.show(project, mr.sha, "calc.mjs")).toContain("return a + b;");
    expect(note.awards).toEqual([{ name: "eyes", user: "cadre-bot" }]);
    expect(issue.notes.map((n) => n.body)).toContain(`Cadre is on it: ${world.h.server.url}/tasks/${task.id}`);
    expect(issue.notes.map((n) => n.body)).toContain(
      `Opened merge request !${mr.iid}: ${world.gl.objects.mergeRequestUrl(project, mr.iid)}`,
    );
    expect(world.gl.problems()).toEqual([]);
  });

  it("the same note from a reporter → nothing: no task, no reply", async () => {
    const before = (await world.tasks()).length;
    const { note, deliveries: sent } = await world.gl.comment(project, {
      by: "bob",
      on: { issue },
      body: "@cadre fix this and run the tests",
    });
    expect(await world.processed(sent[0]?.id ?? "")).toMatchObject({
      state: "ignored",
      outcome: expect.stringContaining("bob may not write"),
    });
    expect((await world.tasks()).length).toBe(before);
    expect(issue.notes.at(-1)).toBe(note);
    expect(note.awards).toEqual([]);
  });

  it("a note on Cadre's merge request → a new commit on the same branch, still one merge request", async () => {
    const before = mr.sha;
    await world.gl.comment(project, { by: "alice", on: { mr }, body: "@cadre make mul() use Math.imul" });
    const after = await until("a new commit", () => (headOf() !== before ? headOf() : null));
    expect(world.gl.git(project, "rev-parse", `${after}^`).trim()).toBe(before);
    expect(world.gl.show(project, after, "calc.mjs")).toContain("Math.imul(a, b)");
    expect(project.mergeRequests.size).toBe(1);
    await until("the merge request's head to follow", () => mr.sha === after);
  });

  it("a thread on a diff line → a follow-up that knows its file and line", async () => {
    const before = mr.sha;
    const { note } = await world.gl.diffNote(project, "alice", mr, {
      path: "calc.mjs",
      line: 2,
      body: "@cadre wrap the arguments in Number() here",
    });
    await until("the follow-up commit", () => (headOf() !== before ? headOf() : null));
    expect((await turns()).at(-1)?.prompt).toContain("review comment on calc.mjs line 2");
    await until("the 👀 on the thread", () => note.awards.find((a) => a.name === "eyes"));
  });

  it("a failed pipeline on Cadre's merge request → a follow-up with the job's trace", async () => {
    await until("Cadre to say it pushed the head", () =>
      mr.notes.find((n) => n.body.startsWith(`Pushed ${headOf().slice(0, 12)}`)),
    );
    const before = mr.sha;
    const { deliveries: sent } = await world.gl.failPipeline(project, {
      sha: mr.sha,
      ref: mr.sourceBranch,
      jobs: [{ name: "lint", trace: TRACE }],
    });
    expect((await world.processed(sent[0]?.id ?? "")).outcome).toContain("follow-up 1 of 2 for check lint");
    const after = await until("the CI follow-up commit", () => (headOf() !== before ? headOf() : null));
    expect(world.gl.show(project, after, "README.md")).toContain("# calc (tested)");
    const prompt = (await turns()).at(-1)?.prompt ?? "";
    expect(prompt).toContain('The check "lint" failed');
    expect(prompt).toContain("FAIL lint: README.md lacks the word tested");
    await until("the merge request to say so", () =>
      mr.notes.find((n) => n.body.includes("automatic follow-up 1 of 2")),
    );
  });

  it("@cadre review on someone's merge request → a discussion on the changed line and a 'Cadre review' status", async () => {
    const head = await world.gl.pushFiles(project, {
      by: "alice",
      branch: "feature/mul",
      files: { "calc.mjs": PLANTED },
      message: "Speed up mul()",
    });
    const theirs = world.gl.createMergeRequest(project, {
      author: "alice",
      title: "Speed up mul()",
      description: "",
      source: "feature/mul",
      target: "main",
    });
    if (!theirs) throw new Error("the double did not open the merge request");
    await world.gl.comment(project, { by: "alice", on: { mr: theirs }, body: "@cadre review" });
    const finding = await until("the review's discussion", () =>
      theirs.notes.find((n) => n.position && n.author === "cadre-bot"),
    );
    expect(finding.position).toMatchObject({ newPath: "calc.mjs", newLine: BUG_LINE, headSha: head });
    expect(world.gl.addedLines(project, theirs, "calc.mjs").has(BUG_LINE)).toBe(true);
    // Sent as a multipart form (a positioned discussion), the note's line breaks arrive as CRLF.
    finding.body = finding.body.replace(/\r\n/g, "\n");
    expect(finding.body).toContain("**high**: mul() adds 1 to every product");
    expect(finding.body).toContain("```suggestion:-0+0\n  return a * b;");
    await until("the summary note", () =>
      theirs.notes.find((n) => n.author === "cadre-bot" && !n.position && n.body.includes("1 finding")),
    );
    const status = await until("the final 'Cadre review' status", () =>
      project.statuses.findLast((s) => s.name === "Cadre review" && s.sha === head && s.state !== "running"),
    );
    expect(status.state).toBe("success");
    expect(world.gl.problems()).toEqual([]);
  });

  it("Cadre names merge requests as GitLab does (merge request !N) in its notes, prompts, CLI and answers", async () => {
    const cadreNotes = [...project.issues.values(), ...project.mergeRequests.values()]
      .flatMap((thread) => thread.notes)
      .filter((n) => n.author === "cadre-bot")
      .map((n) => n.body);
    expect(cadreNotes.length).toBeGreaterThan(4);
    for (const body of cadreNotes) expect(body).not.toMatch(/pull request|#\d+:/i);
    const review = (await world.tasks()).find((t) => t.title.startsWith("Review:")) as TaskWithAttempts;
    expect(review.title).toMatch(/^Review: !\d+ /);
    expect(review.prompt).toContain("merge request !");
    expect(review.prompt).not.toContain("pull request");
    const shown = await world.h.cli(["task", "show", task.id]);
    expect(shown.stdout).toContain(`merge request !${mr.iid} (open) from ${mr.sourceBranch}`);
    expect(shown.stdout).toContain(`origin:   issue #${issue.iid} on gl`);
    const reviewShown = await world.h.cli(["task", "show", review.id]);
    expect(reviewShown.stdout).toMatch(/origin: {3}merge request !\d+ on gl by alice/);
    expect(shown.stdout + reviewShown.stdout).not.toContain("pull request");
  });

  it("an --on push automation and an --on label: automation start runs from GitLab's Push Hook and Issue Hook", async () => {
    const add = (name: string, on: string, prompt: string) =>
      world.h.json(["automation", "add", name, "--repo", "calc", "--on", on, "--prompt", prompt, "--mode", "ask"]);
    await add("gl-push", "push:main", "Check the new commits on main.");
    await add("gl-label", "label:cadre-fix", "Look at the labelled issue.");
    const head = await world.gl.pushFiles(project, {
      by: "alice",
      branch: "main",
      files: { "NOTES.md": "notes\n" },
      message: "Add notes",
    });
    const pushed = await until("the Push Hook", () =>
      world.gl.hooks.deliveries.find((d) => d.event === "Push Hook" && d.body.includes(`"after":"${head}"`)),
    );
    expect(pushed.status).toBe(202);
    const pushRun = await world.runOf("gl-push");
    expect(pushRun.baseCommit).toBe(head);
    expect(pushRun.prompt).toContain(`a push to the branch main (now at ${head})`);
    expect(pushRun.origin).toMatchObject({
      kind: "automation",
      name: "gl-push",
      detail: `push to main at ${head.slice(0, 12)}`,
    });

    const { issue: labelled } = await world.gl.openIssue(project, "alice", "mul() is slow", "Make it faster.");
    const [other] = await world.gl.labelIssue(project, "alice", labelled, "question");
    expect((await world.processed(other?.id ?? "")).state).toBe("ignored");
    const [sent] = await world.gl.labelIssue(project, "alice", labelled, "cadre-fix");
    expect(sent?.status).toBe(202);
    const labelRun = await world.runOf("gl-label");
    expect(labelRun.prompt).toContain(`the label "cadre-fix" on issue #${labelled.iid}`);
    // Cadre's own pushes (its cadre/ branches) reached the webhook and started no run.
    expect(
      world.gl.hooks.deliveries.some((d) => d.event === "Push Hook" && d.body.includes('"ref":"refs/heads/cadre/')),
    ).toBe(true);
    expect((await world.automation("gl-push")).lastRuns).toHaveLength(1);
    expect(world.gl.problems()).toEqual([]);
  });

  it("a wrong X-Gitlab-Token → 401 and nothing stored; a retried delivery → nothing twice", async () => {
    const { deliveries: forged } = await world.gl.comment(project, {
      by: "alice",
      on: { issue },
      body: "@cadre fix this",
      token: "guessed",
    });
    expect(forged.map((d) => d.status)).toEqual([401]);
    expect(JSON.parse(forged[0]?.response ?? "{}")).toMatchObject({ error: { code: "unauthorized" } });
    const sent = world.gl.hooks.deliveries.find((d) => d.event === "Note Hook" && d.status === 202);
    const again = await world.gl.hooks.redeliver(sent as NonNullable<typeof sent>);
    expect(again.status).toBe(202);
    expect(JSON.parse(again.response)).toMatchObject({ duplicate: true });
    const stored = await world.deliveries();
    expect(stored.filter((d) => d.deliveryId === forged[0]?.id)).toEqual([]);
    expect(stored.filter((d) => d.deliveryId === sent?.id)).toHaveLength(1);
  });

  it("the token and the webhook secret are in no file, log or answer", async () => {
    expect(await filesContaining(world.h.home, world.secrets)).toEqual([]);
    const logs = world.h.server.logs();
    const answers = JSON.stringify([
      await world.h.server.client.call("getForge", { params: { name: "gl" } }),
      await world.deliveries(),
    ]);
    for (const secret of world.secrets) {
      expect(logs).not.toContain(secret);
      expect(answers).not.toContain(secret);
    }
    expect(world.gl.problems()).toEqual([]);
  });
});
