import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { CadreClient, streamAttemptEvents } from "@cadre/client";
import type { Event } from "@cadre/protocol";
import { createFixtureRepo } from "../../support/fixture-repo.ts";
import { startScriptedModel, type ScriptedModel } from "../../support/scripted-model/index.ts";
import { Cluster, waitFor } from "./cluster.ts";
import { fileWriterScript } from "./file-script.ts";
import { canRunPrivatePostgres, freePort, startPrivatePostgres, type PrivatePostgres } from "./private-postgres.ts";

const TASKS = 6;
const STEPS = 5;
const SCRIPT = fileWriterScript(STEPS, 500);

describe.skipIf(!canRunPrivatePostgres())("restart of a server instance and of PostgreSQL during a run", () => {
  let model: ScriptedModel;
  let cluster: Cluster;
  let pg: PrivatePostgres;
  let portA: number;

  beforeAll(async () => {
    const started = await startPrivatePostgres();
    if (!started) throw new Error("could not start a private PostgreSQL");
    pg = started;
    model = await startScriptedModel({ script: SCRIPT, recordBodies: false });
    cluster = await Cluster.create(model.url, {}, pg.url);
    const repoPath = join(cluster.home, "..", `${cluster.home.split("/").pop()}-repo`);
    await createFixtureRepo(repoPath);
    portA = await freePort();
    await cluster.startServer(portA);
    await cluster.startServer();
    await cluster.startRunner("r1", 3);
    await cluster.startRunner("r2", 3);
    await cluster.servers[0]!.client.call("createRepo", { body: { origin: repoPath, name: "calc" } });
  });
  afterAll(async () => {
    await cluster?.close();
    await model?.close();
    await pg?.stop();
  });

  it("clients and runners reconnect; every task completes with every event, once", async () => {
    const a = cluster.servers[0]!;
    const b = cluster.servers[1]!;
    const clients = [new CadreClient({ baseUrl: a.url, token: a.token }), b.client];
    const ac = new AbortController();
    const tasks: { id: string; attemptId: string; events: Event[]; reading: Promise<void> }[] = [];
    for (let i = 0; i < TASKS; i++) {
      const client = clients[i % 2] as CadreClient;
      const t = await client.call("createTask", { body: { prompt: `task ${i}`, repo: "calc" } });
      const entry = { id: t.id, attemptId: t.attempts[0]!.id, events: [] as Event[], reading: Promise.resolve() };
      entry.reading = (async () => {
        for await (const e of streamAttemptEvents(client, entry.attemptId, 0, { signal: ac.signal })) {
          entry.events.push(e);
          if (e.type === "status" && ["completed", "failed", "cancelled"].includes(e.status)) return;
        }
      })().catch(() => undefined);
      tasks.push(entry);
    }
    await waitFor("work under way", 60_000, async () =>
      tasks.some((t) => t.events.some((e) => e.type === "tool_result")),
    );

    // server instance A dies and comes back on the same address
    await a.stop("SIGKILL");
    cluster.servers.shift();
    const a2 = await cluster.startServer(portA);
    expect(a2.url).toBe(a.url);

    // PostgreSQL crashes and restarts under everyone
    await pg.restart();

    const finished = async () => {
      const { items } = await b.client.call("listTasks", { query: { limit: 100 } });
      const done = items.filter((t) => ["completed", "failed", "cancelled"].includes(t.status));
      return done.length === TASKS ? items : null;
    };
    const items = await waitFor("every task to finish", 120_000, finished).catch(async (e: Error) => {
      const { items: now } = await b.client.call("listTasks", { query: { limit: 100 } }).catch(() => ({ items: [] }));
      const logs = [a2, b, ...cluster.runners]
        .map((p) => `--- exit ${p.child.exitCode}\n${p.logs().slice(-3000)}`)
        .join("\n");
      throw new Error(`${e.message}: ${now.map((t) => t.status).join(",")}\n${logs}`);
    });
    const why = await Promise.all(
      items
        .filter((t) => t.status !== "completed")
        .map(async (t) =>
          JSON.stringify(
            (await b.client.call("getTask", { params: { id: t.id } })).attempts.map((x) => [
              x.failureReason,
              x.failureMessage,
            ]),
          ),
        ),
    );
    expect(
      items.map((t) => t.status),
      why.join("\n"),
    ).toEqual(Array(TASKS).fill("completed"));
    await Promise.race([Promise.all(tasks.map((t) => t.reading)), new Promise((r) => setTimeout(r, 30_000))]);
    ac.abort();

    // every process outlived the restarts
    for (const p of [a2, b, ...cluster.runners]) expect(p.child.exitCode, p.logs()).toBeNull();
    for (const t of tasks) {
      const { items: stored } = await a2.client.call("listEvents", {
        params: { id: t.attemptId },
        query: { limit: 1000 },
      });
      expect(stored.map((e) => e.seq)).toEqual(stored.map((_, i) => i + 1));
      expect(t.events).toEqual(stored);
      const diff = await a2.client.call("attemptDiff", { params: { id: t.attemptId }, query: {} });
      expect(diff.files.map((f) => f.path)).toEqual(Array.from({ length: STEPS }, (_, i) => `f${i}.txt`));
    }
  });
});
