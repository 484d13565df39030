import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { streamAttemptEvents, type CadreClient } from "@cadre/client";
import type { Event } from "@cadre/protocol";
import { createFixtureRepo } from "../../support/fixture-repo.ts";
import { postgresAvailable } from "../../support/databases.ts";
import { startScriptedModel, type ScriptedModel } from "../../support/scripted-model/index.ts";
import { Cluster, waitFor } from "./cluster.ts";

const TASKS = 100;
const SCRIPT = [
  { toolCalls: [{ name: "shell", input: { command: "echo done > out.txt" } }] },
  { text: "Wrote out.txt." },
];

function terminal(e: Event): boolean {
  return e.type === "status" && ["completed", "failed", "cancelled"].includes(e.status);
}

/**
 * Reads an attempt's events live until it ends. With `switchTo`, the client drops its stream after
 * a few events and resumes on the other instance with Last-Event-ID.
 */
async function follow(first: CadreClient, attemptId: string, switchTo: CadreClient | null): Promise<Event[]> {
  const got: Event[] = [];
  const read = async (client: CadreClient, after: number, stopAfter: number | null): Promise<boolean> => {
    for await (const e of streamAttemptEvents(client, attemptId, after)) {
      got.push(e);
      if (terminal(e)) return true;
      if (stopAfter !== null && got.length >= stopAfter) return false;
    }
    return false;
  };
  if (switchTo) {
    if (await read(first, 0, 2)) return got;
    await read(switchTo, got.at(-1)?.seq ?? 0, null);
  } else {
    await read(first, 0, null);
  }
  return got;
}

describe.skipIf(!postgresAvailable())("two server instances and three runners on one PostgreSQL", () => {
  let model: ScriptedModel;
  let cluster: Cluster;

  beforeAll(async () => {
    model = await startScriptedModel({ script: SCRIPT, recordBodies: false });
    cluster = await Cluster.create(model.url);
    const repoPath = join(cluster.home, "..", `${cluster.home.split("/").pop()}-repo`);
    await createFixtureRepo(repoPath);
    await cluster.startServer();
    await cluster.startServer();
    for (const name of ["r1", "r2", "r3"]) await cluster.startRunner(name, 3);
    await cluster.servers[0]!.client.call("createRepo", { body: { origin: repoPath, name: "calc" } });
  });
  afterAll(async () => {
    await cluster?.close();
    await model?.close();
  });

  it(`${TASKS} tasks submitted through both instances all complete; every SSE client got exactly the stored history`, async () => {
    const [a, b] = cluster.servers.map((s) => s.client) as [CadreClient, CadreClient];
    const runners = await a.call("listRunners");
    expect(
      runners.items
        .filter((r) => r.alive)
        .map((r) => r.name)
        .sort(),
    ).toEqual(["r1", "r2", "r3"]);

    const followers: Promise<{ attemptId: string; events: Event[] }>[] = [];
    const ids: string[] = [];
    for (let i = 0; i < TASKS; i++) {
      const via = i % 2 === 0 ? a : b;
      const task = await via.call("createTask", { body: { prompt: `task ${i}`, repo: "calc" } });
      ids.push(task.id);
      const attemptId = task.attempts[0]!.id;
      // a third of the clients switch instance mid-stream
      const other = via === a ? b : a;
      followers.push(
        follow(i % 3 === 0 ? other : via, attemptId, i % 3 === 1 ? other : null).then((events) => ({
          attemptId,
          events,
        })),
      );
    }

    await waitFor(`all ${TASKS} tasks to finish`, 240_000, async () => {
      const { items } = await b.call("listTasks", { query: { limit: 1000 } });
      return (
        items.filter((t) => ids.includes(t.id) && ["completed", "failed", "cancelled"].includes(t.status)).length ===
        TASKS
      );
    });
    const { items } = await a.call("listTasks", { query: { limit: 1000 } });
    expect(items.filter((t) => ids.includes(t.id)).map((t) => t.status)).toEqual(Array(TASKS).fill("completed"));

    const followed = await Promise.all(followers);
    for (const { attemptId, events } of followed) {
      const stored = await (attemptId.length % 2 ? a : b).call("listEvents", {
        params: { id: attemptId },
        query: { limit: 1000 },
      });
      expect(stored.items.map((e) => e.seq)).toEqual(stored.items.map((_, i) => i + 1));
      expect(events).toEqual(stored.items);
    }
  });
});
