import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, type Store } from "./store.ts";
import { taskRecord } from "./testing-store.ts";
import { tempHome } from "../../../test/support/databases.ts";

describe("automation runs (PGlite)", () => {
  let store: Store;
  let remove: () => Promise<void>;
  let repoId: string;

  beforeAll(async () => {
    const home = await tempHome();
    remove = home.remove;
    store = await openStore({ home: home.home });
    repoId = (await store.repos.create({ name: "demo", origin: "/tmp/demo", defaultBranch: "main" })).id;
  });
  afterAll(async () => {
    await store.close();
    await remove();
  });

  const automation = (name: string): Promise<string> =>
    store.automations.create({
      name,
      repoId,
      environmentId: null,
      prompt: "p",
      mode: "code",
      deliver: "none",
      trigger: { kind: "schedule", cron: "*/5 * * * *" },
      fireTokenHash: "0".repeat(64),
      scheduleFrom: new Date().toISOString(),
      createdBy: "admin",
    });

  it("a slot takes one run, however often it is offered", async () => {
    const id = await automation("slots");
    const run = { automationId: id, trigger: "schedule" as const, detail: "slot", taskId: null };
    const first = await store.db.transaction((tx) =>
      store.automations.addRun(tx, { ...run, slotKey: "slot:a", state: "failed", error: "x" }),
    );
    const again = await store.db.transaction((tx) =>
      store.automations.addRun(tx, { ...run, slotKey: "slot:a", state: "failed", error: "x" }),
    );
    expect(first).toMatch(/^run_/);
    expect(again).toBeNull();
    expect(await store.automations.hasRun(id, "slot:a")).toBe(true);
    expect((await store.automations.runs(id, 10)).map((r) => r.id)).toEqual([first]);
    // Fire calls have no slot: each is a run of its own.
    for (let i = 0; i < 2; i++)
      await store.db.transaction((tx) =>
        store.automations.addRun(tx, { ...run, trigger: "fire", slotKey: null, state: "succeeded" }),
      );
    expect(await store.automations.runs(id, 10)).toHaveLength(3);
  });

  it("the third failure in a row pauses it with the reason; a success in between clears the count", async () => {
    const id = await automation("failing");
    const fail = (slot: string) =>
      store.db.transaction((tx) =>
        store.automations.addRun(tx, {
          automationId: id,
          trigger: "schedule",
          detail: slot,
          slotKey: slot,
          taskId: null,
          state: "failed",
          error: `broke at ${slot}`,
        }),
      );
    await fail("s1");
    await fail("s2");
    await store.db.transaction((tx) =>
      store.automations.addRun(tx, {
        automationId: id,
        trigger: "fire",
        detail: "ok",
        slotKey: null,
        taskId: null,
        state: "succeeded",
      }),
    );
    expect((await store.automations.find(id))?.consecutiveFailures).toBe(0);
    await fail("s3");
    await fail("s4");
    expect((await store.automations.find(id))?.state).toBe("active");
    await fail("s5");
    const paused = await store.automations.find(id);
    expect(paused?.state).toBe("paused");
    expect(paused?.pausedReason).toBe(
      "paused after 3 failed runs in a row (last: broke at s5): fix the cause, then 'cadre automation resume'",
    );
    expect((await store.automations.activeSchedules()).map((a) => a.id)).not.toContain(id);
    await store.automations.resume(id, new Date().toISOString());
    expect(await store.automations.find(id)).toMatchObject({
      state: "active",
      consecutiveFailures: 0,
      pausedReason: null,
    });
  });
});

describe("a run whose delivering server died (PGlite)", () => {
  let store: Store;
  let remove: () => Promise<void>;

  beforeAll(async () => {
    const home = await tempHome();
    remove = home.remove;
    store = await openStore({ home: home.home });
  });
  afterAll(async () => {
    await store.close();
    await remove();
  });

  it("is taken up by another instance once its claim expired, and ends (and counts) once", async () => {
    const repoId = (await store.repos.create({ name: "demo", origin: "/tmp/demo", defaultBranch: "main" })).id;
    const automationId = await store.automations.create({
      name: "nightly",
      repoId,
      environmentId: null,
      prompt: "p",
      mode: "code",
      deliver: "branch",
      trigger: { kind: "schedule", cron: "0 3 * * *" },
      fireTokenHash: "0".repeat(64),
      scheduleFrom: new Date().toISOString(),
      createdBy: "admin",
    });
    let runId: string | null = null;
    await store.tasks.create(taskRecord(repoId, { title: "nightly: p", prompt: "p" }), async (tx, taskId) => {
      runId = await store.automations.addRun(tx, {
        automationId,
        trigger: "schedule",
        detail: "slot",
        slotKey: "slot:1",
        taskId,
        state: "running",
      });
    });
    const id = runId as string | null;
    if (!id) throw new Error("the run was not recorded");
    expect(await store.automations.endedRuns()).toEqual([]);
    await store.db.query("update attempts set status = 'failed'");
    expect((await store.automations.endedRuns()).map((ended) => ended.runId)).toEqual([id]);

    // Instance A takes it for delivery, then is killed before ending it: the run stays delivering.
    expect(await store.automations.claimEnded(id, 60_000)).toBe(true);
    expect((await store.automations.run(id))?.state).toBe("delivering");
    // While A's claim holds, no other instance delivers it.
    expect(await store.automations.endedRuns()).toEqual([]);
    expect(await store.automations.claimEnded(id, 60_000)).toBe(false);

    // The claim's time passes (moved by hand, not waited for): instance B takes the run up and ends it.
    await store.db.query("update automation_runs set claim_expires_at = now() - interval '1 second' where id = $1", [
      id,
    ]);
    expect((await store.automations.endedRuns()).map((ended) => ended.runId)).toEqual([id]);
    expect(await store.automations.claimEnded(id, 60_000)).toBe(true);
    const finish = { id, automationId, failed: true, error: "the task ended failed", outcome: null };
    expect(await store.db.transaction((tx) => store.automations.finishRun(tx, finish))).toBe(true);
    // Had A been alive after all, its late finish changes nothing and counts nothing.
    expect(await store.db.transaction((tx) => store.automations.finishRun(tx, finish))).toBe(false);
    expect(await store.automations.claimEnded(id, 0)).toBe(false);
    expect(await store.automations.endedRuns()).toEqual([]);
    expect(await store.automations.runs(automationId, 10)).toMatchObject([{ id, state: "failed" }]);
    expect((await store.automations.find(automationId))?.consecutiveFailures).toBe(1);
  });

  it("a run left delivering before claims expired (no claim time) is taken up too", async () => {
    await store.db.query(
      "update automation_runs set state = 'delivering', claim_expires_at = null, finished_at = null",
    );
    expect(await store.automations.endedRuns()).toHaveLength(1);
  });
});
