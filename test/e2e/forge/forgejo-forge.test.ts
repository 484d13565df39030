import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ScriptContext, Step } from "../../support/scripted-model/index.ts";
import { FIX_PATCH } from "../../support/fixture-repo.ts";
import { patchStep, promptOf, turnStep } from "../../support/script-helpers.ts";
import type { RepoState, ThreadState } from "../../support/gitea-double/index.ts";
import { until } from "./forge-world.ts";
import { startGiteaWorld, type GiteaWorld } from "./gitea-world.ts";

function script(ctx: ScriptContext): Step {
  if (promptOf(ctx).includes("fix this"))
    return [patchStep(FIX_PATCH), { text: "Fixed add(): it subtracted." }][turnStep(ctx)] ?? { text: "done" };
  return { text: "Nothing to do." };
}

describe("Forgejo: the Gitea adapter with deliveries signed and named as Forgejo sends them (X-Forgejo-*)", () => {
  let world: GiteaWorld;
  let repo: RepoState;
  let issue: ThreadState;

  beforeAll(async () => {
    world = await startGiteaWorld({ script, flavor: "forgejo" });
    ({ repo } = await world.addRepo("acme/calc"));
  });
  afterAll(async () => world?.stop());

  const stored = async (id: string | undefined) => (await world.deliveries()).filter((d) => d.deliveryId === id);

  it("a writer's mention on an issue → a pull request with the fix, known by its X-Forgejo-Delivery", async () => {
    ({ thread: issue } = await world.gt.openIssue(repo, "alice", "add() subtracts", "add(2, 3) returns -1."));
    const { deliveries: sent } = await world.gt.comment(repo, { by: "alice", thread: issue, body: "@cadre fix this" });
    expect(sent.map((d) => d.status)).toEqual([202]);
    expect(sent[0]?.headers).toMatchObject({ "X-Forgejo-Event": "issue_comment", "X-Forgejo-Delivery": sent[0]?.id });
    const pull = await until("the pull request", () => world.gt.pullByBranch(repo, "cadre/"));
    expect(pull.body).toContain(`Closes #${issue.number}`);
    expect(world.gt.show(repo, pull.pull?.headSha ?? "", "calc.mjs")).toContain("return a + b;");
    await until("the issue to be told", () => issue.comments.find((c) => c.body.startsWith("Opened pull request #")));
    expect(await stored(sent[0]?.id)).toHaveLength(1);
    expect(world.gt.problems()).toEqual([]);
  });

  it("a bad X-Forgejo-Signature → 401 and nothing stored, even beside a good X-Gitea-Signature", async () => {
    const { deliveries: forged } = await world.gt.comment(repo, {
      by: "alice",
      thread: issue,
      body: "@cadre fix this",
      secret: "guessed",
    });
    expect(forged.map((d) => d.status)).toEqual([401]);
    expect(JSON.parse(forged[0]?.response ?? "{}")).toMatchObject({ error: { code: "unauthorized" } });
    const { deliveries: mixed } = await world.gt.comment(repo, {
      by: "alice",
      thread: issue,
      body: "@cadre fix this",
      forgejoSecret: "guessed",
    });
    expect(mixed.map((d) => d.status)).toEqual([401]);
    expect(mixed[0]?.headers["X-Gitea-Signature"]).not.toBe(mixed[0]?.headers["X-Forgejo-Signature"]);
    expect(await stored(forged[0]?.id)).toEqual([]);
    expect(await stored(mixed[0]?.id)).toEqual([]);
    expect([...repo.threads.values()].filter((t) => t.pull)).toHaveLength(1);
  });
});
