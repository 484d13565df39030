import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import pg from "pg";
import { streamAttemptEvents } from "@cadre/client";
import type { Event, TaskWithAttempts } from "@cadre/protocol";
import { createFixtureRepo } from "../../support/fixture-repo.ts";
import { postgresAvailable } from "../../support/databases.ts";
import { startScriptedModel, type ScriptedModel } from "../../support/scripted-model/index.ts";
import { Cluster, waitFor } from "./cluster.ts";
import { fileWriterScript } from "./file-script.ts";

const STEPS = 8;
/**
 * Each step writes one file and takes a while (its command runs for a second, so the kill lands while
 * one runs in the victim's sandbox); an interrupted step is redone, as a real model would.
 */
const SCRIPT = fileWriterScript(STEPS, 400, { commandSeconds: 1 });

describe.skipIf(!postgresAvailable())("kill -9 of a runner mid-attempt", () => {
  let model: ScriptedModel;
  let cluster: Cluster;
  let db: pg.Client;

  beforeAll(async () => {
    model = await startScriptedModel({ script: SCRIPT, recordBodies: false });
    cluster = await Cluster.create(model.url);
    const repoPath = join(cluster.home, "..", `${cluster.home.split("/").pop()}-repo`);
    await createFixtureRepo(repoPath);
    const server = await cluster.startServer();
    await server.client.call("createRepo", { body: { origin: repoPath, name: "calc" } });
    db = new pg.Client({ connectionString: cluster.databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await cluster?.close();
    await model?.close();
  });

  async function finished(id: string): Promise<TaskWithAttempts | null> {
    const t = await cluster.servers[0]!.client.call("getTask", { params: { id } });
    return ["completed", "failed", "cancelled"].includes(t.status) ? t : null;
  }

  it("another runner takes the attempt over and ends with the same diff, no event lost or repeated", async () => {
    const client = cluster.servers[0]!.client;
    const victim = await cluster.startRunner("victim", 1);
    const task = await client.call("createTask", { body: { prompt: "write the files", repo: "calc" } });
    const attemptId = task.attempts[0]!.id;

    // a live client, from the first event to the last
    const received: Event[] = [];
    const ac = new AbortController();
    const reading = (async () => {
      for await (const e of streamAttemptEvents(client, attemptId, 0, { signal: ac.signal })) {
        received.push(e);
        if (e.type === "status" && ["completed", "failed", "cancelled"].includes(e.status)) break;
      }
    })();

    await waitFor(
      "the victim to hold the attempt",
      60_000,
      async () =>
        (await db.query("select runner_id from attempts where id = $1", [attemptId])).rows[0]?.runner_id === victim.id,
    );
    const heir = await cluster.startRunner("heir", 1);
    // Kill -9 mid-command: three steps done and the fourth's command running (its call stored, no result).
    await waitFor("three steps done and a command running", 60_000, async () => {
      const { items } = await client.call("listEvents", { params: { id: attemptId }, query: {} });
      const results = items.filter((e) => e.type === "tool_result").length;
      return results >= 3 && items.filter((e) => e.type === "tool_call").length > results;
    });
    await victim.stop("SIGKILL");

    const done = await waitFor("the attempt to finish on the heir", 120_000, () => finished(task.id));
    expect(done.status).toBe("completed");
    expect(
      (await db.query("select runner_id from attempts where id = $1", [attemptId])).rows[0]?.runner_id ?? heir.id,
    ).not.toBe(victim.id);
    await Promise.race([reading, new Promise((r) => setTimeout(r, 10_000))]);
    ac.abort();

    const { items: stored } = await client.call("listEvents", { params: { id: attemptId }, query: { limit: 1000 } });
    expect(stored.map((e) => e.seq)).toEqual(stored.map((_, i) => i + 1));
    expect(received).toEqual(stored);
    const calls = stored.filter((e) => e.type === "tool_call").map((e) => (e as { callId: string }).callId);
    const results = stored.filter((e) => e.type === "tool_result").map((e) => (e as { callId: string }).callId);
    expect(new Set(calls).size).toBe(calls.length);
    expect(new Set(results).size).toBe(results.length);
    expect([...new Set(results)].sort()).toEqual([...new Set(calls)].sort());

    // the same task run without interruption gives the same diff
    const baseline = await client.call("createTask", { body: { prompt: "write the files", repo: "calc" } });
    const base = await waitFor("the uninterrupted run", 120_000, () => finished(baseline.id));
    expect(base.status).toBe("completed");
    const diffOf = async (id: string) => {
      const d = await client.call("attemptDiff", { params: { id }, query: {} });
      return { files: d.files.map((f) => f.path), patch: d.patch };
    };
    const interrupted = await diffOf(attemptId);
    expect(interrupted.files).toEqual(Array.from({ length: STEPS }, (_, i) => `f${i}.txt`).sort());
    expect(interrupted).toEqual(await diffOf(base.attempts[0]!.id));
    await heir.stop("SIGTERM");
  });

  it("a runner stopped with SIGTERM hands its attempt back instead of cancelling it", async () => {
    const client = cluster.servers[0]!.client;
    const leaving = await cluster.startRunner("leaving", 1);
    const task = await client.call("createTask", { body: { prompt: "write the files", repo: "calc" } });
    const attemptId = task.attempts[0]!.id;
    await waitFor(
      "the leaving runner to hold the attempt",
      60_000,
      async () =>
        (await db.query("select runner_id from attempts where id = $1", [attemptId])).rows[0]?.runner_id === leaving.id,
    );
    await cluster.startRunner("staying", 1);
    await waitFor("two steps done", 60_000, async () => {
      const { items } = await client.call("listEvents", { params: { id: attemptId }, query: {} });
      return items.filter((e) => e.type === "tool_result").length >= 2;
    });
    await leaving.stop("SIGTERM");
    expect(leaving.child.exitCode).toBe(0);

    const done = await waitFor("the attempt to finish on the staying runner", 120_000, () => finished(task.id));
    expect(done.status).toBe("completed");
    const { items: stored } = await client.call("listEvents", { params: { id: attemptId }, query: { limit: 1000 } });
    expect(stored.map((e) => e.seq)).toEqual(stored.map((_, i) => i + 1));
    expect(stored.filter((e) => e.type === "status" && e.status === "cancelled")).toEqual([]);
    const diff = await client.call("attemptDiff", { params: { id: attemptId }, query: {} });
    expect(diff.files.map((f) => f.path)).toEqual(Array.from({ length: STEPS }, (_, i) => `f${i}.txt`).sort());
  });
});
