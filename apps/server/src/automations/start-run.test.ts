import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, type AutomationRecord, type NewTask, type Sql, type Store } from "@cadre/store";
import { tempHome } from "../../../../test/support/databases.ts";
import { insertRun, type RunStart } from "./start-run.ts";

/** A connection whose server is killed at the statement matching `at`: nothing after it commits. */
function killedAt(sql: Sql, at: string): Sql {
  const wrap = (inner: Sql): Sql => ({
    async query(text, params) {
      if (text.includes(at)) throw new Error("server killed (kill -9)");
      return inner.query(text, params);
    },
    transaction: (fn) => inner.transaction((tx) => fn(wrap(tx))),
  });
  return wrap(sql);
}

describe("a slot's run and its task are one transaction (PGlite)", () => {
  let store: Store;
  let remove: () => Promise<void>;
  let automation: AutomationRecord;
  let task: NewTask;

  beforeAll(async () => {
    const home = await tempHome();
    remove = home.remove;
    store = await openStore({ home: home.home });
    const repoId = (await store.repos.create({ name: "demo", origin: "/tmp/demo", defaultBranch: "main" })).id;
    const id = await store.automations.create({
      name: "sweep",
      repoId,
      environmentId: null,
      prompt: "Sweep.",
      mode: "code",
      deliver: "none",
      trigger: { kind: "schedule", cron: "*/5 * * * *" },
      fireTokenHash: "0".repeat(64),
      scheduleFrom: "2031-03-04T10:00:00.000Z",
      createdBy: "admin",
    });
    const found = await store.automations.find(id);
    if (!found) throw new Error("the automation was not stored");
    automation = found;
    task = {
      title: "sweep: Sweep.",
      prompt: "Sweep.",
      repoId,
      baseRef: "main",
      baseCommit: "a".repeat(40),
      environmentId: null,
      attemptCount: 1,
      mode: "code",
      model: "openai/test",
      createdBy: "admin",
    };
  });
  afterAll(async () => {
    await store.close();
    await remove();
  });

  const counts = async (): Promise<{ tasks: number; runs: number }> => {
    const [tasks] = await store.db.query<{ n: number }>("select count(*)::int as n from tasks");
    const [runs] = await store.db.query<{ n: number }>("select count(*)::int as n from automation_runs");
    return { tasks: tasks?.n ?? -1, runs: runs?.n ?? -1 };
  };

  it("a server killed after claiming the slot but before its task committed leaves the slot free; the next offer runs it once", async () => {
    const start: RunStart = { trigger: "schedule", detail: "slot 10:05", slotKey: "slot:2031-03-04T10:05:00.000Z" };
    // Killed right after the slot's run row was written (the task's queue notice comes next, then the commit).
    await expect(insertRun(killedAt(store.db, "pg_notify('cadre_queue'"), automation, start, task)).rejects.toThrow(
      "server killed",
    );
    expect(await counts()).toEqual({ tasks: 0, runs: 0 });
    expect(await store.automations.hasRun(automation.id, start.slotKey ?? "")).toBe(false);
    // Killed after the task's rows, before the slot's run row: nothing either.
    await expect(insertRun(killedAt(store.db, "insert into automation_runs"), automation, start, task)).rejects.toThrow(
      "server killed",
    );
    expect(await counts()).toEqual({ tasks: 0, runs: 0 });

    // The instance that comes back (or any other) offers the slot again: one run, one task, however often.
    const runId = await insertRun(store.db, automation, start, task);
    expect(runId).toMatch(/^run_/);
    expect(await insertRun(store.db, automation, start, task)).toBeNull();
    expect(await counts()).toEqual({ tasks: 1, runs: 1 });
    const [run] = await store.automations.runs(automation.id, 10);
    expect(run).toMatchObject({ id: runId, state: "running" });
    expect((await store.tasks.get(run?.taskId ?? ""))?.attempts.map((attempt) => attempt.status)).toEqual(["queued"]);
  });
});
