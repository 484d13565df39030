import { afterAll, beforeAll, describe } from "vitest";
import type { EventBody } from "@cadre/protocol";
import { openStore, type Store } from "./store.ts";
import type { NewTask } from "./task-queries.ts";
import { freshPostgresUrl, postgresAvailable, tempHome } from "../../../test/support/databases.ts";

/** A fresh PGlite store for one test file, closed and removed after it. */
export function storePerFile(): { store: () => Store } {
  let store: Store | undefined;
  let remove: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const home = await tempHome();
    remove = home.remove;
    store = await openStore({ home: home.home });
  });
  afterAll(async () => {
    await store?.close();
    await remove?.();
  });
  return {
    store: () => {
      if (!store) throw new Error("the store opens in beforeAll");
      return store;
    },
  };
}

/** A task on the repo `demo` (made on first use) with `attempts` queued attempts. */
export async function newTask(store: Store, attempts = 1): Promise<{ taskId: string; repoId: string }> {
  const repo =
    (await store.repos.findByName("demo")) ??
    (await store.repos.create({ name: "demo", origin: "/tmp/demo", defaultBranch: "main" }));
  const taskId = await store.tasks.create(taskRecord(repo.id, { attemptCount: attempts }));
  return { taskId, repoId: repo.id };
}

/** A new task's record on `repoId`: one attempt, code mode, prompt "fix the bug"; `overrides` change any field. */
export function taskRecord(repoId: string, overrides: Partial<NewTask> = {}): NewTask {
  return {
    title: "fix",
    prompt: "fix the bug",
    repoId,
    baseRef: "main",
    baseCommit: "a".repeat(40),
    environmentId: null,
    attemptCount: 1,
    mode: "code",
    model: "openai/test",
    createdBy: "admin",
    ...overrides,
  };
}

/**
 * Defines `body`'s tests twice, on a fresh PGlite store and on a fresh database of the test
 * PostgreSQL server (skipped where there is none; CI has one), for modules with SQL both must run.
 */
export function onEachBackend(title: string, body: (store: () => Store) => void): void {
  for (const backend of ["PGlite", "PostgreSQL"] as const)
    describe.skipIf(backend === "PostgreSQL" && !postgresAvailable())(`${title} (${backend})`, () => {
      let store: Store | undefined;
      let cleanup: (() => Promise<void>) | undefined;
      beforeAll(async () => {
        const home = await tempHome();
        const database = backend === "PostgreSQL" ? await freshPostgresUrl() : null;
        store = await openStore({ home: home.home, ...(database ? { databaseUrl: database.url } : {}) });
        cleanup = async () => {
          await store?.close();
          await database?.drop();
          await home.remove();
        };
      });
      afterAll(async () => cleanup?.());
      body(() => {
        if (!store) throw new Error("the store opens in beforeAll");
        return store;
      });
    });
}

/** Claims the attempt as `runnerId` (other attempts claimed on the way stay held) and runs it to `end`. */
export async function runAttemptTo(
  store: Store,
  attemptId: string,
  end: "completed" | "failed" | "waiting_for_input",
  runnerId = "runner_t",
): Promise<void> {
  let claimed = await store.queue.claim(runnerId, 60_000);
  while (claimed && claimed.id !== attemptId) claimed = await store.queue.claim(runnerId, 60_000);
  if (!claimed) throw new Error(`attempt ${attemptId} could not be claimed`);
  const last: EventBody =
    end === "waiting_for_input"
      ? { type: "status", status: end, waitingFor: "answer" }
      : { type: "status", status: end };
  await store.events.append(attemptId, 1, [{ type: "status", status: "running" }, last], { runnerId });
}
