import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ForgeDelivery } from "@cadre/protocol";
import { FIX_PATCH } from "../../support/fixture-repo.ts";
import { addFile, lastUserText, patchStep, turnStep } from "../../support/script-helpers.ts";
import type { ScriptContext, Step } from "../../support/scripted-model/index.ts";
import type { RepoState, Thread } from "../../support/github-double/index.ts";
import { expectNoProblems, startForgeWorld, until, type ForgeWorld } from "./forge-world.ts";

function script(ctx: ScriptContext): Step {
  const step = turnStep(ctx);
  const last = lastUserText(ctx);
  const round = /automatic follow-up (\d) of 2/i.exec(last)?.[1];
  if (round)
    return step === 0 ? patchStep(addFile(`ci-fix-${round}.txt`, `round ${round}\n`)) : { text: `CI fix ${round}.` };
  const file = /ADD (\S+)/.exec(last)?.[1];
  if (file) return step === 0 ? patchStep(addFile(file, `${file}\n`)) : { text: `Added ${file}.` };
  if (last.includes("fix add()")) return step === 0 ? patchStep(FIX_PATCH) : { text: "Fixed add()." };
  return { text: "Nothing to do." };
}

/** The id Cadre's poller stores a polled comment under (one per comment, however often it is found). */
function polledCommentId(repo: RepoState, number: number, commentId: number): string {
  return `poll-comment-${repo.fullName}-${number}-${commentId}`.replace(/[^A-Za-z0-9-]/g, "-");
}

describe("GitHub with --poll beside webhooks: polled check failures, and one task per comment either way", () => {
  let world: ForgeWorld;
  let repo: RepoState;
  let pr: Thread;
  let taskId = "";

  beforeAll(async () => {
    world = await startForgeWorld({ script, forgeFlags: ["--poll", "10"] });
    ({ state: repo } = await world.addRepo("acme/calc"));
  });
  afterAll(async () => world?.stop());

  const deliveries = async (): Promise<ForgeDelivery[]> =>
    (await world.h.server.client.call("listForgeDeliveries", { params: { name: "gh" }, query: { limit: 200 } })).items;
  const processed = (id: string) =>
    until(`delivery ${id} to be stored and processed`, async () =>
      (await deliveries()).find((d) => d.deliveryId === id && d.state !== "pending"),
    );
  const tasksOn = async (number: number) =>
    (await world.tasks()).filter((t) => t.origin?.kind === "forge" && t.origin.thread.number === number);
  const pulls = () => [...repo.threads.values()].filter((t) => t.pull);
  const hook = () => repo.hooks[0] as RepoState["hooks"][number];
  const turns = async () => (await world.task(taskId)).attempts[0]?.turnCount ?? 0;
  const nextHead = (before: string) =>
    until("a new commit on the pull request", () => (pr.pull?.headSha !== before ? pr.pull?.headSha : null));

  it("a mention delivered by webhook and then found by polling starts one task", async () => {
    const { thread } = await world.gh.openIssue(repo, "alice", "add() subtracts", "2 + 3 is -1");
    const { comment, deliveries: sent } = await world.gh.comment(repo, "alice", thread.number, "@cadre fix add()");
    expect(sent.map((d) => d.status)).toEqual([202]);
    expect(await processed(sent[0]?.id ?? "")).toMatchObject({ state: "done" });
    const polled = await processed(polledCommentId(repo, thread.number, comment.id));
    expect(polled.state).toBe("ignored");
    expect(polled.outcome).toContain(`delivery ${sent[0]?.id} already acted on`);
    pr = await until("Cadre's pull request", () => pulls()[0]);
    const tasks = await tasksOn(thread.number);
    expect(tasks).toHaveLength(1);
    taskId = tasks[0]?.id ?? "";
    expect(thread.comments.filter((c) => c.user === "cadre-bot" && c.body.startsWith("Cadre is on it"))).toHaveLength(
      1,
    );
    expectNoProblems(world);
  });

  it("a mention found by polling first, and delivered by webhook later (a redelivery once Cadre is reachable), starts one task", async () => {
    const url = hook().url;
    hook().url = "http://127.0.0.1:9/api/v1/forges/gh/webhook";
    const { thread } = await world.gh.openIssue(repo, "alice", "No changelog", "There is none.");
    const { comment, deliveries: sent } = await world.gh.comment(
      repo,
      "alice",
      thread.number,
      "@cadre ADD CHANGELOG.md",
    );
    expect(sent.map((d) => d.status)).toEqual([0]);
    const polled = await processed(polledCommentId(repo, thread.number, comment.id));
    expect(polled.state).toBe("done");
    hook().url = url;
    const again = await world.gh.hooks.redeliver(sent[0]?.id ?? "");
    expect(again.status).toBe(202);
    expect(JSON.parse(again.response)).toMatchObject({ duplicate: false });
    const late = await processed(again.id);
    expect(late.state).toBe("ignored");
    expect(late.outcome).toContain(`delivery ${polled.deliveryId} already acted on`);
    expect(await tasksOn(thread.number)).toHaveLength(1);
    await until("its pull request", () => pulls().find((t) => t.body.includes(`Closes #${thread.number}`)));
    expect(pulls()).toHaveLength(2);
    expectNoProblems(world);
  });

  it("with no webhook, a failed check run found by polling starts the CI follow-up once, on the same pull request", async () => {
    hook().active = false;
    const head = pr.pull?.headSha as string;
    const sent = await world.gh.completeCheck(repo, {
      sha: head,
      name: "test",
      conclusion: "failure",
      summary: "1 test failed",
      log: "FAIL add(2, 3)\n##[error]Process completed with exit code 1.",
    });
    expect(sent).toEqual([]);
    const after = await nextHead(head);
    expect(world.gh.gitIn(repo, "rev-parse", `${after}^`).trim()).toBe(head);
    await until("the note on the pull request", () =>
      pr.comments.find((c) => c.body.includes("automatic follow-up 1 of 2")),
    );
    const run = repo.checkRuns.at(-1);
    const polled = (await deliveries()).filter((d) => d.deliveryId.startsWith(`poll-check-${run?.id}-`));
    expect(polled.map((d) => d.state)).toEqual(["done"]);
    expect(await turns()).toBe(2);
    expect(pulls()).toHaveLength(2);
  });

  it("a failed commit status found by polling → the second follow-up; a third failure → none, and the pull request says so", async () => {
    const head = pr.pull?.headSha as string;
    await world.gh.setStatus(repo, { sha: head, state: "failure", context: "ci/jenkins", description: "build broke" });
    const after = await nextHead(head);
    await until("the second note", () => pr.comments.find((c) => c.body.includes("automatic follow-up 2 of 2")));
    expect(await turns()).toBe(3);
    await world.gh.completeCheck(repo, { sha: after, name: "test", conclusion: "failure", summary: "still failing" });
    await until("the note that the follow-ups are used up", () =>
      pr.comments.find((c) => c.body.includes("stops here")),
    );
    await world.gh.idle();
    expect(pr.pull?.headSha).toBe(after);
    expect(await turns()).toBe(3);
    expect(pr.comments.filter((c) => c.body.includes("stops here"))).toHaveLength(1);
    expectNoProblems(world);
  });
});
