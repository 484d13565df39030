import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, type Store } from "./store.ts";
import { freshPostgresUrl, postgresAvailable, tempHome } from "../../../test/support/databases.ts";
import type { ForgeRecord } from "./forge-queries.ts";

function suite(name: string, open: () => Promise<{ store: Store; cleanup: () => Promise<void> }>) {
  describe(`forge inbox, outbox and links (${name})`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    let forge: ForgeRecord;

    beforeAll(async () => {
      ({ store, cleanup } = await open());
      forge = await store.forges.create({
        name: "gh",
        kind: "github",
        apiUrl: "https://api.github.com",
        webUrl: "https://github.com",
        botName: "cadre",
        authKind: "token",
        appId: null,
        installationId: null,
        encryptedSecrets: { token: "v1:x", webhookSecret: "v1:y" },
        pollSeconds: 30,
        pacing: true,
        serviceUser: "forge-gh",
        createdBy: "admin",
      });
    });
    afterAll(async () => {
      await store?.close();
      await cleanup?.();
    });

    it("stores a delivery once by its id, and a worker that lost its claim cannot finish it", async () => {
      const delivery = { forgeId: forge.id, deliveryId: "d-1", event: "ping", payload: { zen: "x" } };
      expect(await store.forgeWork.receive(delivery)).toBe(true);
      expect(await store.forgeWork.receive(delivery)).toBe(false);
      const first = await store.forgeWork.claimDelivery("worker-a", 1500);
      expect(first?.deliveryId).toBe("d-1");
      expect(await store.forgeWork.claimDelivery("worker-b", 60_000)).toBeNull();
      await new Promise((r) => setTimeout(r, 1600));
      // the first claim's lease passed: another worker takes it, and the first one's finish is refused
      expect((await store.forgeWork.claimDelivery("worker-b", 60_000))?.deliveryId).toBe("d-1");
      const finish = (holder: string) =>
        store.db.transaction((tx) =>
          store.forgeWork.finishDelivery(tx, {
            forgeId: forge.id,
            deliveryId: "d-1",
            holder,
            state: "done",
            outcome: "x",
          }),
        );
      expect(await finish("worker-a")).toBe(false);
      expect(await finish("worker-b")).toBe(true);
      expect(await store.forgeWork.claimDelivery("worker-c", 60_000)).toBeNull();
      expect((await store.forgeWork.recentDeliveries(forge.id, 10))[0]).toMatchObject({
        deliveryId: "d-1",
        state: "done",
        attempts: 2,
      });
    });

    it("queues a job once per key and retries a failed one later", async () => {
      const queue = () =>
        store.db.transaction((tx) =>
          store.forgeWork.enqueueJob(tx, { forgeId: forge.id, key: "note:1", kind: "note", payload: {} }),
        );
      expect(await queue()).toBe(true);
      expect(await queue()).toBe(false);
      const claimed = await store.forgeWork.claimJob("w", 60_000);
      expect(claimed?.key).toBe("note:1");
      await store.forgeWork.retryJob({
        id: claimed!.id,
        holder: "w",
        error: "forge down",
        attempts: claimed!.attempts,
      });
      // backed off: not due yet
      expect(await store.forgeWork.claimJob("w", 60_000)).toBeNull();
    });

    it("gives a forge object to the first delivery that commits acting on it, even when two race", async () => {
      const claim = (deliveryId: string, key = "comment:acme/calc#1:comment:7") =>
        store.db.transaction(async (tx) => {
          const first = await store.forgeWork.claimObject(tx, { forgeId: forge.id, key, deliveryId });
          // Within its own transaction a delivery may act on the object again (several decisions for one event).
          const again = await store.forgeWork.claimObject(tx, { forgeId: forge.id, key, deliveryId });
          return { first, again };
        });
      const raced = await Promise.all([claim("hook-a"), claim("hook-b"), claim("poll-1")]);
      const winners = raced.filter((r) => r.first === null);
      expect(winners).toHaveLength(1);
      expect(winners[0]?.again).toBeNull();
      const holder = ["hook-a", "hook-b", "poll-1"][raced.indexOf(winners[0] as (typeof raced)[number])];
      for (const loser of raced.filter((r) => r.first !== null))
        expect(loser).toEqual({ first: holder, again: holder });
      expect((await claim("hook-c")).first).toBe(holder);
      // A claim rolled back with its transaction leaves the object free.
      await store.db
        .transaction(async (tx) => {
          await store.forgeWork.claimObject(tx, { forgeId: forge.id, key: "check:x", deliveryId: "crashed" });
          throw new Error("crash");
        })
        .catch(() => undefined);
      expect((await claim("retried", "check:x")).first).toBeNull();
    });

    it("gives the polling turn to one caller per interval", async () => {
      const turns = await Promise.all([store.forges.takePollTurn(forge.id), store.forges.takePollTurn(forge.id)]);
      expect(turns.filter(Boolean)).toHaveLength(1);
      expect(await store.forges.takePollTurn(forge.id)).toBeNull();
    });
  });
}

suite("PGlite", async () => {
  const home = await tempHome();
  return { store: await openStore({ home: home.home }), cleanup: home.remove };
});

if (postgresAvailable())
  suite("PostgreSQL", async () => {
    const fresh = await freshPostgresUrl();
    const home = await tempHome();
    return {
      store: await openStore({ home: home.home, databaseUrl: fresh?.url }),
      cleanup: async () => {
        await fresh?.drop();
        await home.remove();
      },
    };
  });
