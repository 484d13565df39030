import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CadreClient } from "@cadre/client";
import type { ForgeDelivery } from "@cadre/protocol";
import { postgresAvailable } from "../../support/databases.ts";
import { GithubDouble, type RepoState } from "../../support/github-double/index.ts";
import { startScriptedModel, type ScriptedModel } from "../../support/scripted-model/index.ts";
import { Cluster, waitFor } from "../scale/cluster.ts";
import { CALC_FILES, WEBHOOK_SECRET } from "./forge-world.ts";

/**
 * Two server instances on one PostgreSQL, both polling the forge, and the repository's events sent
 * to each of them by a hook of its own: one comment reaches Cadre three times (two webhook
 * deliveries with their own GUIDs, one polled), handled by whichever instance claims each.
 * No runners: the task only has to exist, once.
 */
describe.skipIf(!postgresAvailable())("GitHub: one comment, many deliveries, two instances → one task", () => {
  let model: ScriptedModel;
  let gh: GithubDouble;
  let cluster: Cluster;
  let repo: RepoState;

  const client = (index = 0): CadreClient => (cluster.servers[index] as { client: CadreClient }).client;
  const deliveries = async (): Promise<ForgeDelivery[]> =>
    (await client().call("listForgeDeliveries", { params: { name: "gh" }, query: { limit: 200 } })).items;

  beforeAll(async () => {
    model = await startScriptedModel({ script: [{ text: "done" }], recordBodies: false });
    gh = await GithubDouble.start();
    cluster = await Cluster.create(model.url);
    await cluster.startServer();
    await cluster.startServer();
    await client().call("createForge", {
      body: {
        name: "gh",
        kind: "github",
        apiUrl: gh.apiUrl,
        auth: { kind: "token", token: gh.createToken("cadre-bot") },
        webhookSecret: WEBHOOK_SECRET,
        pollSeconds: 10,
      },
    });
    repo = await gh.createRepo("acme/calc", {
      files: CALC_FILES,
      collaborators: { "cadre-bot": "write", alice: "write" },
    });
    await client().call("createRepo", { body: { origin: gh.cloneUrl(repo), name: "calc", forge: "gh" } });
    for (const server of cluster.servers) gh.addHook(repo, `${server.url}/api/v1/forges/gh/webhook`, WEBHOOK_SECRET);
  }, 300_000);
  afterAll(async () => {
    await cluster?.close();
    await gh?.close();
    await model?.close();
  });

  it("the first delivery to commit starts the task; the others are ignored, naming it", async () => {
    const { thread } = await gh.openIssue(repo, "alice", "add() subtracts", "2 + 3 is -1");
    const { comment, deliveries: sent } = await gh.comment(repo, "alice", thread.number, "@cadre fix add()");
    expect(sent.map((d) => d.status)).toEqual([202, 202]);
    expect(new Set(sent.map((d) => d.id)).size).toBe(2);
    const polledId = `poll-comment-${repo.fullName}-${thread.number}-${comment.id}`.replace(/[^A-Za-z0-9-]/g, "-");
    const ids = [...sent.map((d) => d.id), polledId];
    const handled = await waitFor("all three deliveries to be processed", 120_000, async () => {
      const mine = (await deliveries()).filter((d) => ids.includes(d.deliveryId));
      return mine.length === 3 && mine.every((d) => d.state !== "pending") ? mine : null;
    });
    const done = handled.filter((d) => d.state === "done");
    expect(done).toHaveLength(1);
    const ignored = handled.filter((d) => d.state === "ignored");
    expect(ignored).toHaveLength(2);
    for (const other of ignored) expect(other.outcome).toContain(`delivery ${done[0]?.deliveryId} already acted on`);
    const { items } = await client(1).call("listTasks", { query: { limit: 20 } });
    expect(items).toHaveLength(1);
    expect(done[0]?.outcome).toContain(items[0]?.id);
    await gh.idle();
    await waitFor("Cadre's answer on the issue", 60_000, async () =>
      thread.comments.find((c) => c.user === "cadre-bot" && c.body.startsWith("Cadre is on it")),
    );
    expect(thread.comments.filter((c) => c.user === "cadre-bot")).toHaveLength(1);
    expect(thread.reactions.filter((r) => r.user === "cadre-bot")).toHaveLength(1);
    expect(gh.problems()).toEqual([]);
  });
});
