import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Automation, AutomationTrigger, CreateAutomation, ForgeDelivery, TaskWithAttempts } from "@cadre/protocol";
import type { ScriptContext, Step } from "../../support/scripted-model/index.ts";
import { FIX_PATCH } from "../../support/fixture-repo.ts";
import { patchStep, promptOf, turnStep } from "../../support/script-helpers.ts";
import type { RepoState } from "../../support/github-double/index.ts";
import { expectNoProblems, startForgeWorld, until, type ForgeWorld } from "../forge/forge-world.ts";

/** Runs of the label automation fix the bug; the others only answer. */
function script(ctx: ScriptContext): Step {
  if (promptOf(ctx).includes("Fix the labelled issue"))
    return [patchStep(FIX_PATCH), { text: "Fixed add(): it subtracted." }][turnStep(ctx)] ?? { text: "done" };
  return { text: "Looked: nothing to change." };
}

describe("automations: forge events from the GitHub double start runs", () => {
  let world: ForgeWorld;
  let repo: RepoState;

  beforeAll(async () => {
    world = await startForgeWorld({ script });
    ({ state: repo } = await world.addRepo("acme/calc"));
    const add = (name: string, trigger: AutomationTrigger, prompt: string, extra: Partial<CreateAutomation> = {}) =>
      world.h.server.client.call("createAutomation", {
        body: { name, repo: "calc", trigger, prompt, ...extra },
      });
    await add("on-push", { kind: "event", event: "push", branch: "main" }, "Check the new commits on main.", {
      mode: "ask",
    });
    await add("on-pr", { kind: "event", event: "change_request_opened" }, "Review this pull request.", {
      mode: "ask",
    });
    await add("on-label", { kind: "event", event: "issue_labelled", label: "cadre-fix" }, "Fix the labelled issue.", {
      deliver: "pr",
    });
  }, 300_000);
  afterAll(async () => world?.stop());

  const automation = (name: string): Promise<Automation> =>
    world.h.server.client.call("getAutomation", { params: { id: name } });
  const processed = (id: string | undefined): Promise<ForgeDelivery> =>
    until(`delivery ${id} to be processed`, async () => {
      const { items } = await world.h.server.client.call("listForgeDeliveries", {
        params: { name: "gh" },
        query: { limit: 200 },
      });
      return items.find((delivery) => delivery.deliveryId === id && delivery.state !== "pending");
    });
  const runTask = async (name: string, count: number): Promise<TaskWithAttempts> => {
    const found = await until(`${name}'s run ${count}`, async () => {
      const shown = await automation(name);
      return shown.lastRuns.length >= count ? shown : null;
    });
    const taskId = found.lastRuns[0]?.taskId;
    expect(taskId).toBeTruthy();
    return world.task(taskId as string);
  };

  it("a push to the watched branch starts a run on the pushed commit; a push elsewhere starts none", async () => {
    const before = world.gh.gitIn(repo, "rev-parse", "refs/heads/main").trim();
    const after = await world.gh.pushFiles(repo, {
      by: "alice",
      branch: "main",
      files: { "NOTES.md": "notes\n" },
      message: "Add notes",
    });
    const [delivery] = await world.gh.announcePush(repo, { by: "alice", branch: "main", before, after });
    expect(delivery?.status).toBe(202);
    const task = await runTask("on-push", 1);
    expect(task.baseCommit).toBe(after);
    expect(task.prompt).toContain("Check the new commits on main.");
    expect(task.prompt).toContain(`a push to the branch main (now at ${after})`);
    expect(task.origin).toMatchObject({
      kind: "automation",
      name: "on-push",
      detail: `push to main at ${after.slice(0, 12)}`,
    });
    expect((await processed(delivery?.id)).outcome).toContain("automation on-push started");

    const side = await world.gh.pushFiles(repo, {
      by: "alice",
      branch: "feature",
      files: { "feature.txt": "f\n" },
      message: "Feature",
    });
    const [elsewhere] = await world.gh.announcePush(repo, { by: "alice", branch: "feature", before, after: side });
    expect((await processed(elsewhere?.id)).state).toBe("ignored");
    expect((await automation("on-push")).lastRuns).toHaveLength(1);
  });

  it("a pull request opened starts a run on its head", async () => {
    const head = world.gh.gitIn(repo, "rev-parse", "refs/heads/feature").trim();
    const { thread, deliveries } = await world.gh.openPull(repo, "alice", { head: "feature", title: "Add a feature" });
    expect(deliveries.map((delivery) => delivery.status)).toEqual([202]);
    const task = await runTask("on-pr", 1);
    expect(task.baseCommit).toBe(head);
    expect(task.prompt).toContain(`pull request #${thread.number}`);
    expect(task.prompt).toContain('"Add a feature"');
    expect(task.mode).toBe("ask");
  });

  it("an issue labelled with the watched label starts a run that delivers a pull request; another label starts none", async () => {
    const { thread } = await world.gh.openIssue(repo, "alice", "add() subtracts", "It returns a - b.");
    const [other] = await world.gh.labelIssue(repo, "alice", thread.number, "question");
    expect((await processed(other?.id)).state).toBe("ignored");
    expect((await automation("on-label")).lastRuns).toHaveLength(0);

    const [labelled] = await world.gh.labelIssue(repo, "alice", thread.number, "cadre-fix");
    expect(labelled?.status).toBe(202);
    const task = await runTask("on-label", 1);
    expect(task.prompt).toContain(`the label "cadre-fix" on issue #${thread.number}`);
    const done = await until("the run to be delivered", async () => {
      const shown = await automation("on-label");
      const run = shown.lastRuns[0];
      return run && run.state !== "running" && run.state !== "delivering" ? run : null;
    });
    expect([done.state, done.error]).toEqual(["succeeded", null]);
    expect(done.outcome).toMatch(/^pull request #\d+ \(open\) from cadre\//);
    const pull = [...repo.threads.values()].find((t) => t.pull && t.user === "cadre-bot");
    expect(pull?.pull?.headRef).toMatch(/^cadre\//);
    expect(world.gh.show(repo, pull?.pull?.headRef ?? "", "calc.mjs")).toContain("return a + b;");
    // Cadre's own pull request starts no run of the pull-request automation.
    await world.gh.idle();
    const opened = world.gh.hooks.deliveries.find(
      (delivery) =>
        delivery.event === "pull_request" &&
        delivery.action === "opened" &&
        delivery.body.includes(`"number":${pull?.number}`),
    );
    expect(opened?.status).toBe(202);
    expect((await processed(opened?.id)).outcome).not.toContain("automation on-pr");
    expect((await automation("on-pr")).lastRuns).toHaveLength(1);
    expectNoProblems(world);
  });
});
