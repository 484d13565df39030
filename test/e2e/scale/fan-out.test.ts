import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { streamAttemptEvents, type CadreClient } from "@cadre/client";
import type { Event } from "@cadre/protocol";
import { createFixtureRepo } from "../../support/fixture-repo.ts";
import { postgresAvailable } from "../../support/databases.ts";
import { startScriptedModel, type ScriptedModel } from "../../support/scripted-model/index.ts";
import { Cluster, waitFor } from "./cluster.ts";

const STEPS = 10;
const SCRIPT = [
  ...Array.from({ length: STEPS }, (_, i) => ({
    toolCalls: [
      { name: "shell", input: { command: `for n in $(seq 1 5); do echo step ${i} line $n; done > f${i}.txt` } },
    ],
  })),
  { text: "Wrote the files." },
];
/** Streams per instance opened when the task starts; as many again join part-way, from an older seq. */
const EARLY = 12;

function terminal(e: Event): boolean {
  return e.type === "status" && ["completed", "failed", "cancelled"].includes(e.status);
}

/** Every event after `after` until the attempt ends; `seen` is told of each one's seq. */
async function follow(
  client: CadreClient,
  attemptId: string,
  after: number,
  seen: (seq: number) => void = () => undefined,
): Promise<Event[]> {
  const got: Event[] = [];
  for await (const e of streamAttemptEvents(client, attemptId, after)) {
    got.push(e);
    seen(e.seq);
    if (terminal(e)) break;
  }
  return got;
}

/**
 * Many streams of one attempt on two instances: each must get exactly the stored history after its
 * start. The instances keep a tail of 8 events per attempt (CADRE_SSE_TAIL_EVENTS), so streams that
 * join part-way from an older seq cross from the store's pages into the shared tail.
 */
describe.skipIf(!postgresAvailable())("many streams of one attempt on two instances", () => {
  let model: ScriptedModel;
  let cluster: Cluster;

  beforeAll(async () => {
    model = await startScriptedModel({ script: SCRIPT, recordBodies: false });
    cluster = await Cluster.create(model.url, { CADRE_SSE_TAIL_EVENTS: "8" });
    const repoPath = join(cluster.home, "..", `${cluster.home.split("/").pop()}-repo`);
    await createFixtureRepo(repoPath);
    await cluster.startServer();
    await cluster.startServer();
    await cluster.startRunner("r1", 2);
    await cluster.servers[0]!.client.call("createRepo", { body: { origin: repoPath, name: "calc" } });
  });
  afterAll(async () => {
    await cluster?.close();
    await model?.close();
  });

  it("every stream, opened early, part-way or after the end, gets exactly the stored events after its start", async () => {
    const [a, b] = cluster.servers.map((s) => s.client) as [CadreClient, CadreClient];
    const task = await a.call("createTask", { body: { prompt: "write the files", repo: "calc" } });
    const attemptId = task.attempts[0]!.id;

    const streams: { after: number; events: Promise<Event[]> }[] = [];
    let joined = 0;
    const joinPartWay = (seq: number) => {
      // Each time the first stream passes another few events, two more streams join, one per
      // instance, from a few events back.
      if (seq < 4 * (joined + 1) || joined >= EARLY) return;
      joined++;
      const after = Math.max(0, seq - 5);
      for (const client of [a, b]) streams.push({ after, events: follow(client, attemptId, after) });
    };
    for (let i = 0; i < EARLY; i++)
      for (const client of [a, b])
        streams.push({
          after: 0,
          events: follow(client, attemptId, 0, i === 0 && client === a ? joinPartWay : undefined),
        });

    await waitFor("the task to finish", 180_000, async () => {
      const { status } = await a.call("getTask", { params: { id: task.id } });
      return ["completed", "failed", "cancelled"].includes(status);
    });
    const stored = await b.call("listEvents", { params: { id: attemptId }, query: { limit: 1000 } });
    expect(stored.items.at(-1)).toMatchObject({ type: "status", status: "completed" });
    expect(stored.items.map((e) => e.seq)).toEqual(stored.items.map((_, i) => i + 1));
    // Long enough that the tail (8 events) was trimmed many times while the streams read it.
    expect(stored.items.length).toBeGreaterThan(40);

    for (const after of [0, 3, Math.floor(stored.items.length / 2)])
      for (const client of [a, b]) streams.push({ after, events: follow(client, attemptId, after) });

    expect(joined).toBeGreaterThan(0);
    for (const { after, events } of streams) expect(await events).toEqual(stored.items.slice(after));
  });
});
