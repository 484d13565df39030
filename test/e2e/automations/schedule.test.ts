import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import pg from "pg";
import type { CadreClient } from "@cadre/client";
import { createFixtureRepo } from "../../support/fixture-repo.ts";
import { postgresAvailable } from "../../support/databases.ts";
import { startScriptedModel, type ScriptedModel } from "../../support/scripted-model/index.ts";
import { Cluster, waitFor } from "../scale/cluster.ts";

const EVERY_FIVE_MINUTES = "*/5 * * * *";

/**
 * Two server instances (no runners: the runs' tasks just wait in the queue) on one real
 * PostgreSQL, with a clock the test moves for both at once through CADRE_AUTOMATION_CLOCK_FILE
 * and a short test-only tick, so a slot's time is reached by both instances together.
 */
describe.skipIf(!postgresAvailable())("automations: a schedule across server instances", () => {
  let model: ScriptedModel;
  let cluster: Cluster;
  let clockFile: string;
  let db: pg.Client;

  const setClock = (iso: string): Promise<void> => writeFile(clockFile, `${iso}\n`);
  const client = (): CadreClient => (cluster.servers.at(-1) as { client: CadreClient }).client;
  const slots = async (): Promise<string[]> =>
    (await db.query<{ slot_key: string }>("select slot_key from automation_runs order by slot_key")).rows.map(
      (row) => row.slot_key,
    );
  const waitForRuns = (count: number): Promise<string[]> =>
    waitFor(`${count} runs`, 120_000, async () => {
      const found = await slots();
      return found.length >= count ? found : null;
    });

  beforeAll(async () => {
    model = await startScriptedModel({ script: [{ text: "done" }], recordBodies: false });
    cluster = await Cluster.create(model.url, { CADRE_AUTOMATION_TICK_MS: "50" });
    clockFile = join(cluster.home, "test-clock");
    cluster.env.CADRE_AUTOMATION_CLOCK_FILE = clockFile;
    await setClock("2031-03-04T10:01:30.000Z");
    const repoPath = join(cluster.home, "..", `${cluster.home.split("/").pop()}-repo`);
    await createFixtureRepo(repoPath);
    await cluster.startServer();
    await cluster.startServer();
    await client().call("createRepo", { body: { origin: repoPath, name: "calc" } });
    db = new pg.Client({ connectionString: cluster.databaseUrl });
    await db.connect();
  }, 300_000);
  afterAll(async () => {
    await db?.end();
    await cluster?.close();
    await model?.close();
  });

  it("fires once per slot with two instances, and a slot missed while both were down runs once after a restart", async () => {
    const created = await client().call("createAutomation", {
      body: { name: "sweep", repo: "calc", trigger: { kind: "schedule", cron: EVERY_FIVE_MINUTES }, prompt: "Sweep." },
    });
    expect(created.nextRunAt).toBe("2031-03-04T10:05:00.000Z");
    // The slot of 10:00 is before the automation existed: it never runs.
    expect(await slots()).toEqual([]);

    for (const [now, count] of [
      ["2031-03-04T10:05:01.000Z", 1],
      ["2031-03-04T10:10:02.000Z", 2],
      ["2031-03-04T10:15:00.000Z", 3],
    ] as const) {
      await setClock(now);
      await waitForRuns(count);
    }
    expect(await slots()).toEqual([
      "slot:2031-03-04T10:05:00.000Z",
      "slot:2031-03-04T10:10:00.000Z",
      "slot:2031-03-04T10:15:00.000Z",
    ]);

    // Every server stops; the slots of 10:20, 10:25 and 10:30 pass while none runs.
    const ports = cluster.servers.map((server) => Number(new URL(server.url).port));
    for (const server of cluster.servers.splice(0)) await server.stop();
    await setClock("2031-03-04T10:32:10.000Z");
    for (const port of ports) await cluster.startServer(port);
    await waitForRuns(4);
    // Then time goes on to the next slot: had any older missed slot been going to run, it would be here by now.
    await setClock("2031-03-04T10:35:00.500Z");
    await waitForRuns(5);
    expect(await slots()).toEqual([
      "slot:2031-03-04T10:05:00.000Z",
      "slot:2031-03-04T10:10:00.000Z",
      "slot:2031-03-04T10:15:00.000Z",
      "slot:2031-03-04T10:30:00.000Z",
      "slot:2031-03-04T10:35:00.000Z",
    ]);

    // One task per run, each started by the automation for its slot.
    const { items } = await client().call("listTasks", { query: { limit: 100 } });
    const details = await Promise.all(
      items.map(async (task) => (await client().call("getTask", { params: { id: task.id } })).origin),
    );
    expect(
      details.map((origin) => (origin?.kind === "automation" ? `${origin.name} ${origin.detail}` : "other")).sort(),
    ).toEqual([
      "sweep slot 2031-03-04T10:05:00.000Z",
      "sweep slot 2031-03-04T10:10:00.000Z",
      "sweep slot 2031-03-04T10:15:00.000Z",
      "sweep slot 2031-03-04T10:30:00.000Z",
      "sweep slot 2031-03-04T10:35:00.000Z",
    ]);
    const shown = await client().call("getAutomation", { params: { id: "sweep" } });
    expect(shown.nextRunAt).toBe("2031-03-04T10:40:00.000Z");
    expect(shown.lastRuns.map((run) => run.detail)[0]).toBe("slot 2031-03-04T10:35:00.000Z");
    for (const server of cluster.servers) expect(server.logs()).not.toMatch(/automations: /);
  });
});
