import { afterAll, beforeAll } from "vitest";
import { openStore, type Store } from "./store.ts";
import { tempHome } from "../../../test/support/databases.ts";

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
  const taskId = await store.tasks.create({
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
  return { taskId, repoId: repo.id };
}
