import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, type Store } from "./store.ts";
import { freshPostgresUrl, postgresAvailable, tempHome } from "../../../test/support/databases.ts";

const backends = [
  { name: "pglite", available: true },
  { name: "postgres", available: postgresAvailable() },
] as const;

for (const backend of backends) {
  describe.skipIf(!backend.available)(`scheduling on ${backend.name}`, () => {
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

    async function task(repo: string, title: string, priority = 0): Promise<string> {
      const r =
        (await store.repos.findByName(repo)) ??
        (await store.repos.create({ name: repo, origin: `/tmp/${repo}`, defaultBranch: "main" }));
      const id = await store.tasks.create({
        title,
        prompt: title,
        repoId: r.id,
        baseRef: "main",
        baseCommit: "a".repeat(40),
        environmentId: null,
        attemptCount: 1,
        mode: "code",
        model: "openai/test",
        createdBy: "admin",
        priority,
      });
      return id;
    }
    const titleOf = async (taskId: string | undefined) => (taskId ? (await store.tasks.get(taskId))?.title : null);

    it("limits, fairness between repositories, priorities and positions", async () => {
      // repo "big" queues four tasks before "small" queues one
      for (const n of [1, 2, 3, 4]) await task("big", `big-${n}`);
      await task("small", "small-1");
      await task("big", "big-urgent", 5);

      const before = await store.queue.positions();
      expect(await Promise.all(before.map((q) => titleOf(q.taskId)))).toEqual([
        "big-urgent",
        "big-1",
        "big-2",
        "big-3",
        "big-4",
        "small-1",
      ]);
      expect(before.map((q) => q.position)).toEqual([1, 2, 3, 4, 5, 6]);

      const limits = { maxRunning: 3, maxPerRepo: 2 };
      const claimed: (string | null | undefined)[] = [];
      for (let i = 0; i < 4; i++)
        claimed.push(await titleOf((await store.queue.claim(`runner_${i}`, 60_000, limits))?.taskId));
      // priority first; then the repository with fewer running attempts (small) before big's next;
      // then big is at its limit of 2 and the global limit of 3 is reached
      expect(claimed).toEqual(["big-urgent", "small-1", "big-1", null]);

      const after = await store.queue.positions();
      expect(await Promise.all(after.map((q) => titleOf(q.taskId)))).toEqual(["big-2", "big-3", "big-4"]);
      expect(await store.queue.claim("runner_x", 60_000, { maxPerRepo: 2 })).toBeNull();
      // with no limits the queue drains in order
      expect(await titleOf((await store.queue.claim("runner_y", 60_000))?.taskId)).toBe("big-2");
    });
  });
}
