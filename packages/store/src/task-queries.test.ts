import { expect, it } from "vitest";
import type { Delivery } from "@cadre/protocol";
import { newTask, onEachBackend, runAttemptTo, taskRecord } from "./testing-store.ts";

onEachBackend("task queries", (store) => {
  it("creates a task with its queued attempts, each carrying the prompt as its first input", async () => {
    const { taskId, repoId } = await newTask(store(), 2);
    const task = await store().tasks.get(taskId);
    expect(task).toMatchObject({ repoId, status: "queued", attemptCount: 2, review: { state: "pending" } });
    expect(task?.attempts.map((attempt) => [attempt.index, attempt.status])).toEqual([
      [1, "queued"],
      [2, "queued"],
    ]);
    const records = await store().attempts.byTask(taskId);
    expect(records.map((record) => record.pendingInput)).toEqual([
      { kind: "prompt", text: "fix the bug" },
      { kind: "prompt", text: "fix the bug" },
    ]);
    expect(await store().tasks.repoOf(taskId)).toBe(repoId);
    expect(await store().tasks.repoOf("task_missing")).toBeNull();
  });

  it("creates nothing when the work done in its transaction fails", async () => {
    const { repoId } = await newTask(store());
    const before = await store().tasks.list({ limit: 100 });
    const failed = await store()
      .tasks.create(taskRecord(repoId, { title: "never", prompt: "p" }), async () => {
        throw new Error("the delivery could not be marked");
      })
      .catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(Error);
    const after = await store().tasks.list({ limit: 100 });
    expect(after.items.map((task) => task.title)).not.toContain("never");
    expect(after.items.length).toBe(before.items.length);
  });

  it("derives a task's status from its attempts, running first, then waiting, then completed", async () => {
    const { taskId } = await newTask(store(), 2);
    const [first, second] = await store().attempts.byTask(taskId);
    if (!first || !second) throw new Error("two attempts expected");
    await runAttemptTo(store(), first.id, "completed");
    expect((await store().tasks.get(taskId))?.status).toBe("queued");
    await runAttemptTo(store(), second.id, "waiting_for_input");
    expect((await store().tasks.get(taskId))?.status).toBe("waiting_for_input");
    expect((await store().tasks.list({ status: "waiting_for_input", limit: 100 })).items.map((t) => t.id)).toContain(
      taskId,
    );
    await store().events.append(second.id, 1, [{ type: "status", status: "cancelled" }], { runnerId: null });
    expect((await store().tasks.get(taskId))?.status).toBe("completed");
  });

  it("records a delivery without ending the review, then the review", async () => {
    const { taskId } = await newTask(store());
    const attemptId = (await store().attempts.byTask(taskId))[0]?.id ?? "";
    const delivery: Delivery = {
      kind: "pull_request",
      forge: "gh",
      number: 1,
      url: "https://example.test/pr/1",
      branch: "cadre/x",
      commit: "b".repeat(40),
      state: "open",
    };
    await store().tasks.setDelivery(taskId, delivery);
    expect((await store().tasks.get(taskId))?.review).toMatchObject({ state: "pending", delivery });
    await store().tasks.setReview(taskId, { state: "rejected", attemptId, delivery: null, by: "admin", reason: "no" });
    expect((await store().tasks.get(taskId))?.review).toMatchObject({
      state: "rejected",
      attemptId,
      by: "admin",
      reason: "no",
    });
  });

  it("lists the other tasks on a branch that may still land: pending, with an attempt not failed or cancelled", async () => {
    const repo = await store().repos.create({ name: "branchy", origin: "/tmp/branchy", defaultBranch: "main" });
    const create = (title: string, baseRef = "main") =>
      store().tasks.create({
        title,
        prompt: "p",
        repoId: repo.id,
        baseRef,
        baseCommit: "a".repeat(40),
        environmentId: null,
        attemptCount: 1,
        mode: "code",
        model: "openai/test",
        createdBy: "admin",
        expectedPaths: ["src/a.ts"],
      });
    const live = await create("live");
    await create("elsewhere", "dev");
    const failed = await create("failed");
    const rejected = await create("rejected");
    const failedAttempt = (await store().attempts.byTask(failed))[0]?.id ?? "";
    await runAttemptTo(store(), failedAttempt, "failed");
    await store().tasks.setReview(rejected, {
      state: "rejected",
      attemptId: null,
      delivery: null,
      by: "a",
      reason: null,
    });
    expect(await store().tasks.activeOnBranch(repo.id, "main")).toEqual([
      { id: live, title: "live", expectedPaths: ["src/a.ts"] },
    ]);
  });

  it("pages the list newest first with a cursor and finds tasks by text, percent signs literal", async () => {
    const repo = await store().repos.create({ name: "paged", origin: "/tmp/paged", defaultBranch: "main" });
    const ids: string[] = [];
    for (const title of ["one 100%", "two", "three"])
      ids.push(await store().tasks.create(taskRecord(repo.id, { title, prompt: "p" })));
    const first = await store().tasks.list({ repoId: repo.id, limit: 2 });
    expect(first.items.map((task) => task.title)).toEqual(["three", "two"]);
    const rest = await store().tasks.list({ repoId: repo.id, limit: 2, cursor: first.nextCursor ?? undefined });
    expect(rest).toMatchObject({ items: [{ title: "one 100%" }], nextCursor: null });
    expect((await store().tasks.list({ q: "100%", limit: 10 })).items.map((task) => task.id)).toEqual([ids[0]]);
    // Unescaped, "o%e" would match "one 100%".
    expect((await store().tasks.list({ q: "o%e", limit: 10 })).items).toEqual([]);
    expect((await store().tasks.list({ repoIds: [], limit: 10 })).items).toEqual([]);
  });
});
