import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LeaseLostError } from "@cadre/protocol";
import { freshPostgresUrl, postgresAvailable, tempHome } from "../../../test/support/databases.ts";
import { openStore, type Store } from "./store.ts";
import { taskRecord } from "./testing-store.ts";
import { hashToken } from "./user-queries.ts";

const backends = [
  { name: "pglite", available: true },
  { name: "postgres", available: postgresAvailable() },
] as const;

for (const backend of backends) {
  describe.skipIf(!backend.available)(`runner tokens, sessions and fenced appends on ${backend.name}`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;

    beforeAll(async () => {
      const { home, remove } = await tempHome();
      const pgdb = backend.name === "postgres" ? await freshPostgresUrl() : null;
      store = await openStore({ home, databaseUrl: pgdb?.url });
      cleanup = async () => {
        await store.close();
        await pgdb?.drop();
        await remove();
      };
    });
    afterAll(async () => cleanup());

    async function claimedAttempt(runnerId: string): Promise<string> {
      const repo = await store.repos.create({ name: `r${Date.now()}`, origin: "/tmp/r", defaultBranch: "main" });
      const taskId = await store.tasks.create(taskRecord(repo.id, { title: "t", prompt: "p" }));
      let claimed = await store.queue.claim(runnerId, 60_000);
      while (claimed && claimed.taskId !== taskId) claimed = await store.queue.claim(runnerId, 60_000);
      if (!claimed) throw new Error("nothing claimed");
      return claimed.id;
    }

    it("authenticates a token by its hash only, and reuses a name once the old token is revoked", async () => {
      const made = await store.runnerTokens.create("build-1", "admin");
      expect(made.token).toMatch(/^cadre_runner_/);
      expect(await store.runnerTokens.authenticate(made.token)).toEqual({ id: made.info.id, name: "build-1" });
      expect(await store.runnerTokens.authenticate(`${made.token}x`)).toBeNull();
      // a user lookup never finds a runner token
      expect(await store.users.authenticate(made.token)).toBeNull();
      expect(await store.runnerTokens.activeNamed("build-1")).toBe(true);
      expect((await store.runnerTokens.revoke("build-1"))?.revokedAt).not.toBeNull();
      expect(await store.runnerTokens.authenticate(made.token)).toBeNull();
      expect(await store.runnerTokens.revoke("build-1")).toBeNull();
      const again = await store.runnerTokens.create("build-1", "admin");
      expect(
        (await store.runnerTokens.list()).filter((t) => t.name === "build-1").map((t) => t.revokedAt === null),
      ).toEqual([true, false]);
      expect(await store.runnerTokens.authenticate(again.token)).not.toBeNull();
    });

    it("revoking a token ends its sessions and hands its attempts back to the queue", async () => {
      const made = await store.runnerTokens.create("build-2", "admin");
      await store.runners.register("runner_two", "build-2", 2, { tokenId: made.info.id, sessionHash: hashToken("s2") });
      expect(await store.runners.bySession(hashToken("s2"))).toEqual({
        id: "runner_two",
        name: "build-2",
        tokenId: made.info.id,
      });
      const attemptId = await claimedAttempt("runner_two");
      await store.runnerTokens.revoke("build-2");
      expect(await store.runners.bySession(hashToken("s2"))).toBeNull();
      expect(await store.runners.active("runner_two")).toBe(false);
      expect((await store.attempts.get(attemptId))?.runnerId).toBeNull();
      await expect(
        store.events.append(attemptId, 0, [{ type: "notice", level: "info", message: "late" }], {
          runnerId: "runner_two",
        }),
      ).rejects.toBeInstanceOf(LeaseLostError);
    });

    it("an append repeated after a lost answer is stored once; one on a stale seq is refused", async () => {
      const attemptId = await claimedAttempt("runner_seq");
      const first = await store.events.append(
        attemptId,
        0,
        [
          { type: "notice", level: "info", message: "one" },
          { type: "notice", level: "info", message: "two" },
        ],
        { runnerId: "runner_seq", afterSeq: 0 },
      );
      expect(first.map((e) => e.seq)).toEqual([1, 2]);
      const repeated = await store.events.append(
        attemptId,
        0,
        [
          { type: "notice", level: "info", message: "one" },
          { type: "notice", level: "info", message: "two" },
        ],
        { runnerId: "runner_seq", afterSeq: 0 },
      );
      expect(repeated).toEqual(first);
      expect((await store.events.all(attemptId)).map((e) => e.seq)).toEqual([1, 2]);
      await expect(
        store.events.append(attemptId, 0, [{ type: "notice", level: "info", message: "x" }], {
          runnerId: "runner_seq",
          afterSeq: 1,
        }),
      ).rejects.toBeInstanceOf(LeaseLostError);
      const next = await store.events.append(attemptId, 0, [{ type: "notice", level: "info", message: "three" }], {
        runnerId: "runner_seq",
        afterSeq: 2,
      });
      expect(next.map((e) => e.seq)).toEqual([3]);
    });
  });
}
