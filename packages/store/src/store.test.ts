import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EventBody } from "@cadre/protocol";
import { openStore, type Store } from "./store.ts";
import { LeaseLostError } from "@cadre/protocol";
import { freshPostgresUrl, postgresAvailable, tempHome } from "../../../test/support/databases.ts";

const backends = [
  { name: "pglite", available: true },
  { name: "postgres", available: postgresAvailable() },
] as const;

for (const backend of backends) {
  describe.skipIf(!backend.available)(`store on ${backend.name}`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;

    beforeAll(async () => {
      const { home, remove } = await tempHome();
      if (backend.name === "postgres") {
        const pgdb = await freshPostgresUrl();
        if (!pgdb) throw new Error("postgres unavailable");
        store = await openStore({ home, databaseUrl: pgdb.url });
        cleanup = async () => {
          await store.close();
          await pgdb.drop();
          await remove();
        };
      } else {
        store = await openStore({ home });
        cleanup = async () => {
          await store.close();
          await remove();
        };
      }
    });
    afterAll(async () => cleanup());

    async function newTask(attempts = 1) {
      const repo =
        (await store.repos.findByName("demo")) ??
        (await store.repos.create({ name: "demo", origin: "/tmp/demo", defaultBranch: "main" }));
      const id = await store.tasks.create({
        title: "fix",
        prompt: "fix the bug",
        repoId: repo.id,
        baseRef: "main",
        baseCommit: "a".repeat(40),
        environmentId: null,
        attemptCount: attempts,
        mode: "code",
        model: "openai/test",
        createdBy: "admin",
      });
      return (await store.tasks.get(id))!;
    }

    it("migrations are idempotent", async () => {
      const { migrate } = await import("./migrate.ts");
      expect(await migrate(store.db)).toBe(0);
    });

    it("creates a task with queued attempts and derives its status", async () => {
      const task = await newTask(3);
      expect(task.attempts.map((a) => [a.index, a.status])).toEqual([
        [1, "queued"],
        [2, "queued"],
        [3, "queued"],
      ]);
      expect(task.status).toBe("queued");
      expect(task.repoName).toBe("demo");
    });

    it("claims with a lease, numbers events without gaps and fences a runner that lost its lease", async () => {
      const task = await newTask(1);
      let claimed = await store.queue.claim("runner_a", 60_000);
      while (claimed && claimed.taskId !== task.id) claimed = await store.queue.claim("runner_a", 60_000);
      expect(claimed?.pendingInput).toEqual({ kind: "prompt", text: "fix the bug" });
      const id = claimed!.id;
      const bodies: EventBody[] = [
        { type: "status", status: "running" },
        { type: "turn_started", turn: 1 },
        { type: "user_message", kind: "prompt", text: "fix the bug" },
        {
          type: "usage",
          model: "openai/test",
          step: 1,
          usage: { inputTokens: 10, cachedInputTokens: 2, outputTokens: 5, reasoningTokens: 0, costUsd: 0.5 },
        },
      ];
      const written = await store.events.append(id, 1, bodies, { runnerId: "runner_a" });
      expect(written.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
      const att = await store.attempts.get(id);
      expect(att?.status).toBe("running");
      expect(att?.pendingInput).toBeNull();
      expect(att?.usage.inputTokens).toBe(10);
      expect(att?.usage.costUsd).toBeCloseTo(0.5);
      expect((await store.attempts.turns(id))[0]?.prompt).toBe("fix the bug");

      // another runner cannot write while the lease is held, and cannot claim it
      await expect(
        store.events.append(id, 1, [{ type: "assistant_message", text: "x" }], { runnerId: "runner_b" }),
      ).rejects.toBeInstanceOf(LeaseLostError);
      // an expired lease makes it claimable again; the old runner is then fenced out
      await store.queue.renew("runner_a", [id], -1000);
      let again = await store.queue.claim("runner_b", 60_000);
      while (again && again.id !== id) again = await store.queue.claim("runner_b", 60_000);
      expect(again?.id).toBe(id);
      await expect(
        store.events.append(id, 1, [{ type: "assistant_message", text: "late" }], { runnerId: "runner_a" }),
      ).rejects.toBeInstanceOf(LeaseLostError);
      await store.events.append(id, 1, [{ type: "status", status: "completed" }], { runnerId: "runner_b" });
      const events = await store.events.all(id);
      expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
      const done = await store.attempts.get(id);
      expect(done?.status).toBe("completed");
      expect(done?.needsRun).toBe(false);
      expect(done?.runnerId).toBeNull();
      expect(await store.attempts.requestRun(id, { kind: "followup", text: "more" })).toBe(true);
      expect(await store.attempts.requestRun(id, { kind: "followup", text: "again" })).toBe(false);
    });

    it("SKIP LOCKED hands each attempt to exactly one of many concurrent claimers", async () => {
      const task = await newTask(6);
      const claims = await Promise.all(Array.from({ length: 12 }, (_, i) => store.queue.claim(`r${i}`, 60_000)));
      const mine = claims.filter((c) => c?.taskId === task.id).map((c) => c!.id);
      expect(new Set(mine).size).toBe(mine.length);
    });

    it("lists tasks newest first with filters, search and a cursor", async () => {
      for (let i = 0; i < 3; i++) await newTask(1);
      const page1 = await store.tasks.list({ limit: 2 });
      expect(page1.items).toHaveLength(2);
      expect(page1.nextCursor).not.toBeNull();
      const page2 = await store.tasks.list({ limit: 2, cursor: page1.nextCursor! });
      expect(page2.items[0]?.id).not.toBe(page1.items[1]?.id);
      expect((await store.tasks.list({ limit: 50, q: "no such text" })).items).toHaveLength(0);
      expect((await store.tasks.list({ limit: 50, q: "FIX THE" })).items.length).toBeGreaterThan(0);
      expect((await store.tasks.list({ limit: 50, status: "failed" })).items).toHaveLength(0);
    });

    it("delivers NOTIFY to listeners", async () => {
      const got: string[] = [];
      const unlisten = await store.db.listen("cadre_tasks", (p) => got.push(p));
      const task = await newTask(1);
      for (let i = 0; i < 50 && !got.includes(task.id); i++) await new Promise((r) => setTimeout(r, 20));
      await unlisten();
      expect(got).toContain(task.id);
    });
  });
}
