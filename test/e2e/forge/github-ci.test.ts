import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIX_PATCH } from "../../support/fixture-repo.ts";
import { addFile, lastUserText, patchStep, promptOf, turnStep } from "../../support/script-helpers.ts";
import type { ScriptContext, Step } from "../../support/scripted-model/index.ts";
import type { RepoState, Thread } from "../../support/github-double/index.ts";
import { expectNoProblems, startForgeWorld, until, type ForgeWorld } from "./forge-world.ts";

function script(ctx: ScriptContext): Step {
  const step = turnStep(ctx);
  const round = /automatic follow-up (\d) of 2/i.exec(lastUserText(ctx))?.[1];
  if (round)
    return step === 0 ? patchStep(addFile(`ci-fix-${round}.txt`, `round ${round}\n`)) : { text: `CI fix ${round}.` };
  if (promptOf(ctx).includes("fix add()")) return step === 0 ? patchStep(FIX_PATCH) : { text: "Fixed add()." };
  return { text: "Nothing to do." };
}

describe("GitHub CI feedback: a failed check on Cadre's pull request sends it back to work, twice at most", () => {
  let world: ForgeWorld;
  let repo: RepoState;
  let pr: Thread;
  let taskId = "";

  beforeAll(async () => {
    world = await startForgeWorld({ script, recordRequests: true });
    ({ state: repo } = await world.addRepo("acme/calc"));
    const { thread } = await world.gh.openIssue(repo, "alice", "add() is wrong", "It subtracts.");
    await world.gh.comment(repo, "alice", thread.number, "@cadre fix add()");
    pr = await until("Cadre's pull request", () => [...repo.threads.values()].find((t) => t.pull));
    taskId = (await world.tasks())[0]?.id ?? "";
  });
  afterAll(async () => world?.stop());

  const nextHead = (before: string) =>
    until("a new commit on the branch", () => (pr.pull?.headSha !== before ? pr.pull?.headSha : null));
  const turns = async () => (await world.task(taskId)).attempts[0]?.turnCount ?? 0;

  it("a failed check run → a follow-up with the check's output and job log → a new commit on the same pull request", async () => {
    const head = pr.pull?.headSha as string;
    await world.gh.completeCheck(repo, {
      sha: head,
      name: "test",
      conclusion: "failure",
      summary: "1 test failed",
      text: "calc.test: expected 6",
      log: "##[group]Run node test.mjs\nFAIL mul(2, 3)\n##[error]Process completed with exit code 1.",
    });
    const after = await nextHead(head);
    expect(world.gh.gitIn(repo, "rev-parse", `${after}^`).trim()).toBe(head);
    const prompt = world.h.model.requests
      .map((r) => r.normalized?.messages.at(-1)?.text ?? "")
      .find((t) => t.includes('The check "test" failed'));
    expect(prompt).toContain("1 test failed");
    expect(prompt).toContain("calc.test: expected 6");
    expect(prompt).toContain("FAIL mul(2, 3)");
    await until("the note on the pull request", () =>
      pr.comments.find((c) => c.body.includes("automatic follow-up 1 of 2")),
    );
    expect([...repo.threads.values()].filter((t) => t.pull)).toHaveLength(1);
  });

  it("a failed commit status → the second follow-up; a failure on an older commit changes nothing", async () => {
    const old = world.gh.gitIn(repo, "rev-parse", `${pr.pull?.headSha}^`).trim();
    const { deliveries } = {
      deliveries: await world.gh.completeCheck(repo, { sha: old, name: "lint", conclusion: "failure" }),
    };
    expect(deliveries[0]?.status).toBe(202);
    const head = pr.pull?.headSha as string;
    await world.gh.setStatus(repo, { sha: head, state: "failure", context: "ci/jenkins", description: "build broke" });
    await nextHead(head);
    await until("the second note", () => pr.comments.find((c) => c.body.includes("automatic follow-up 2 of 2")));
    expect(await turns()).toBe(3);
  });

  it("a third failure → no third follow-up, and the pull request says so", async () => {
    const head = pr.pull?.headSha as string;
    await world.gh.completeCheck(repo, { sha: head, name: "test", conclusion: "failure", summary: "still failing" });
    await until("the note that the follow-ups are used up", () =>
      pr.comments.find((c) => c.body.includes("stops here")),
    );
    await world.gh.idle();
    expect(pr.pull?.headSha).toBe(head);
    expect(await turns()).toBe(3);
    expectNoProblems(world);
  });
});
