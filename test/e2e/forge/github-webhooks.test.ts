import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ForgeDelivery } from "@cadre/protocol";
import { FIX_PATCH } from "../../support/fixture-repo.ts";
import { patchStep, turnStep } from "../../support/script-helpers.ts";
import type { ScriptContext, Step } from "../../support/scripted-model/index.ts";
import type { RepoState } from "../../support/github-double/index.ts";
import { examplePayload } from "../../support/github-double/webhooks.ts";
import { expectNoProblems, startForgeWorld, until, WEBHOOK_SECRET, type ForgeWorld } from "./forge-world.ts";

function script(ctx: ScriptContext): Step {
  return turnStep(ctx) === 0 ? patchStep(FIX_PATCH) : { text: "Fixed add()." };
}

describe("GitHub webhooks cannot be forged or replayed, and survive a crash", () => {
  let world: ForgeWorld;
  let repo: RepoState;

  beforeAll(async () => {
    // A short claim lease: after the crash, the new server takes over the delivery within seconds.
    world = await startForgeWorld({ script, serverEnv: { CADRE_FORGE_LEASE_MS: "4000" } });
    ({ state: repo } = await world.addRepo("acme/calc"));
  });
  afterAll(async () => world?.stop());

  const client = () => world.h.server.client;
  const deliveries = async (): Promise<ForgeDelivery[]> =>
    (await client().call("listForgeDeliveries", { params: { name: "gh" }, query: { limit: 200 } })).items;
  const taskCount = async () => (await client().call("listTasks", { query: { limit: 100 } })).items.length;
  const target = () => ({
    url: world.forge.webhookUrl,
    secret: WEBHOOK_SECRET,
    hookId: repo.hooks[0]?.id ?? 1,
    targetType: "repository" as const,
    targetId: repo.id,
  });

  it("a bad or missing signature is refused with 401 and nothing is stored", async () => {
    const payload = world.gh.hooks.payload("issue_comment", "created", {
      repository: { full_name: "acme/calc", name: "calc" },
      comment: { body: "@cadre delete everything" },
    });
    const forged = await world.gh.hooks.sendForged("issue_comment", payload, target());
    const missing = await world.gh.hooks.sendForged("issue_comment", payload, target(), "");
    const garbage = await world.gh.hooks.sendForged("issue_comment", payload, target(), "sha256=00ff");
    for (const answer of [forged, missing, garbage]) {
      expect(answer.status).toBe(401);
      expect(JSON.parse(answer.response)).toMatchObject({ error: { code: "unauthorized" } });
    }
    expect(JSON.parse(missing.response).error.message).toMatch(/X-Hub-Signature-256 header is missing/);
    const stored = (await deliveries()).map((d) => d.deliveryId);
    for (const answer of [forged, missing, garbage]) expect(stored).not.toContain(answer.id);
    expect(await taskCount()).toBe(0);
  });

  it("events Cadre does not handle are answered with a 2xx and ignored", async () => {
    const [ping] = await world.gh.hooks.send("ping", world.gh.hooks.payload("ping", undefined, {}), [target()]);
    const [star] = await world.gh.hooks.send("star", { action: "created", ...examplePayload("ping") }, [target()]);
    expect([ping?.status, star?.status]).toEqual([202, 202]);
    const done = await until("both to be processed", async () => {
      const all = await deliveries();
      const mine = all.filter((d) => d.deliveryId === ping?.id || d.deliveryId === star?.id);
      return mine.length === 2 && mine.every((d) => d.state !== "pending") ? mine : null;
    });
    expect(done.map((d) => d.state)).toEqual(["ignored", "ignored"]);
  });

  it("kill -9 between a delivery's receipt and its task: the task is created after the restart, once; a redelivery then does nothing", async () => {
    const held = world.gh.hold("repos/get-collaborator-permission-level");
    const { thread } = await world.gh.openIssue(repo, "alice", "add() subtracts", "2 + 3 is -1");
    const { deliveries: sent } = await world.gh.comment(repo, "alice", thread.number, "@cadre fix add()");
    expect(sent[0]?.status).toBe(202);
    const deliveryId = sent[0]?.id as string;
    // Cadre has stored the delivery and is asking GitHub whether alice may write: the server dies now.
    await held.reached;
    await world.h.restart("SIGKILL");
    expect(await taskCount()).toBe(0);
    // The webhook URL moves with the restarted server's port.
    for (const hook of repo.hooks) hook.url = `${world.h.server.url}/api/v1/forges/gh/webhook`;
    held.release();
    const task = await until(
      "the task after the restart",
      async () => (await client().call("listTasks", { query: { limit: 10 } })).items[0],
    );
    expect(task.origin?.kind === "forge" && task.origin.thread.number).toBe(thread.number);
    const delivery = await until("the delivery to be done", async () =>
      (await deliveries()).find((d) => d.deliveryId === deliveryId && d.state === "done"),
    );
    expect(delivery.attempts).toBe(2);
    expect(delivery.outcome).toContain(task.id);

    const again = await world.gh.hooks.redeliver(deliveryId);
    expect(again.status).toBe(202);
    expect(JSON.parse(again.response)).toMatchObject({ ok: true, delivery: deliveryId, duplicate: true });
    await until("the pull request", () => [...repo.threads.values()].find((t) => t.pull));
    await world.gh.idle();
    expect(await taskCount()).toBe(1);
    expect([...repo.threads.values()].filter((t) => t.pull)).toHaveLength(1);
    expect(thread.comments.filter((c) => c.user === "cadre-bot" && c.body.startsWith("Cadre is on it"))).toHaveLength(
      1,
    );
    expectNoProblems(world);
  });
});
