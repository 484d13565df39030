import { beforeAll, expect, it } from "vitest";
import { MAX_FORGE_ATTEMPTS } from "./forge-work-queries.ts";
import { newTask, onEachBackend } from "./testing-store.ts";

onEachBackend("forge work queries", (store) => {
  let forgeId = "";
  beforeAll(async () => {
    const forge = await store().forges.create({
      name: "gl",
      kind: "gitlab",
      apiUrl: "https://gitlab.example/api/v4",
      webUrl: "https://gitlab.example",
      botName: "cadre",
      authKind: "token",
      appId: null,
      installationId: null,
      encryptedSecrets: { token: "v1:x", webhookSecret: "v1:y" },
      pollSeconds: 30,
      pacing: false,
      serviceUser: "forge-gl",
      createdBy: "admin",
    });
    forgeId = forge.id;
  });

  const finish = (deliveryId: string, holder: string) =>
    store().db.transaction((tx) =>
      store().forgeWork.finishDelivery(tx, { forgeId, deliveryId, holder, state: "done", outcome: "ok" }),
    );

  it("says whether work is due: a pending delivery is, a claimed or finished one is not", async () => {
    expect(await store().forgeWork.hasDue()).toBe(false);
    await store().forgeWork.receive({ forgeId, deliveryId: "due-1", event: "push", payload: {} });
    expect(await store().forgeWork.hasDue()).toBe(true);
    const claimed = await store().forgeWork.claimDelivery("worker-a", 60_000);
    expect(claimed).toMatchObject({ deliveryId: "due-1", event: "push", attempts: 1 });
    expect(await store().forgeWork.hasDue()).toBe(false);
    expect(await finish("due-1", "worker-a")).toBe(true);
    expect(await store().forgeWork.hasDue()).toBe(false);
  });

  it("renews a claim only for its holder and only while the work is pending", async () => {
    await store().forgeWork.receive({ forgeId, deliveryId: "renew-1", event: "note", payload: { body: "hi" } });
    const claimed = await store().forgeWork.claimDelivery("worker-a", 60_000);
    expect(claimed?.payload).toEqual({ body: "hi" });
    const key = { forgeId, id: "renew-1" };
    expect(await store().forgeWork.renewClaim("deliveries", key, "worker-a", 60_000)).toBe(true);
    expect(await store().forgeWork.renewClaim("deliveries", key, "worker-b", 60_000)).toBe(false);
    expect(await finish("renew-1", "worker-a")).toBe(true);
    expect(await store().forgeWork.renewClaim("deliveries", key, "worker-a", 60_000)).toBe(false);
  });

  it("fails a delivery for good after its last try, keeping the error, and ignores a retry by another worker", async () => {
    await store().forgeWork.receive({ forgeId, deliveryId: "fail-1", event: "issue", payload: {} });
    expect((await store().forgeWork.claimDelivery("worker-a", 60_000))?.deliveryId).toBe("fail-1");
    await store().forgeWork.retryDelivery({
      forgeId,
      deliveryId: "fail-1",
      holder: "worker-b",
      error: "not mine",
      attempts: MAX_FORGE_ATTEMPTS,
    });
    // Still worker-a's: its renewal works and the other worker's error was not written.
    expect(await store().forgeWork.renewClaim("deliveries", { forgeId, id: "fail-1" }, "worker-a", 60_000)).toBe(true);
    await store().forgeWork.retryDelivery({
      forgeId,
      deliveryId: "fail-1",
      holder: "worker-a",
      error: "forge said 500",
      attempts: MAX_FORGE_ATTEMPTS,
    });
    const listed = (await store().forgeWork.recentDeliveries(forgeId, 50)).find((d) => d.deliveryId === "fail-1");
    expect(listed).toMatchObject({ state: "failed", outcome: "forge said 500", attempts: 1 });
    expect(listed?.processedAt).not.toBeNull();
    expect(await store().forgeWork.claimDelivery("worker-c", 60_000)).toBeNull();
  });

  it("hands concurrent job claims different jobs, oldest first, and lets only the holder finish one", async () => {
    for (const key of ["job:1", "job:2", "job:3"])
      await store().db.transaction((tx) =>
        store().forgeWork.enqueueJob(tx, { forgeId, key, kind: "comment", payload: { key } }),
      );
    const claims = await Promise.all(["w1", "w2", "w3"].map((holder) => store().forgeWork.claimJob(holder, 60_000)));
    const keys = claims.map((claim) => claim?.key);
    expect([...keys].sort()).toEqual(["job:1", "job:2", "job:3"]);
    expect(await store().forgeWork.claimJob("w4", 60_000)).toBeNull();
    const first = claims.find((claim) => claim?.key === "job:1");
    const holder = ["w1", "w2", "w3"][claims.indexOf(first ?? null)] ?? "";
    if (!first) throw new Error("job:1 was not claimed");
    expect(first.payload).toEqual({ key: "job:1" });
    expect(await store().db.transaction((tx) => store().forgeWork.finishJob(tx, first.id, "w4"))).toBe(false);
    expect(await store().forgeWork.renewClaim("jobs", { forgeId, id: first.id }, holder, 60_000)).toBe(true);
    expect(await store().db.transaction((tx) => store().forgeWork.finishJob(tx, first.id, holder))).toBe(true);
    expect(await store().db.transaction((tx) => store().forgeWork.finishJob(tx, first.id, holder))).toBe(false);
    // Its key is taken for good: the same job is not queued again once done.
    expect(
      await store().db.transaction((tx) =>
        store().forgeWork.enqueueJob(tx, { forgeId, key: "job:1", kind: "comment", payload: {} }),
      ),
    ).toBe(false);
  });

  it("answers a failed check once per task, commit and check name", async () => {
    const { taskId } = await newTask(store());
    const answer = (name: string, commit = "c".repeat(40)) =>
      store().db.transaction((tx) => store().forgeWork.answerCheckFailure(tx, { taskId, commit, name }));
    expect(await answer("ci/test")).toBe(true);
    expect(await answer("ci/test")).toBe(false);
    expect(await answer("ci/lint")).toBe(true);
    expect(await answer("ci/test", "d".repeat(40))).toBe(true);
  });
});
