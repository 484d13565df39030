import type { Store } from "@cadre/store";

/** A task of one attempt on a "demo" repo, created as the server's tail tests need it; returns the attempt's id. */
export async function newAttempt(store: Store): Promise<string> {
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
    attemptCount: 1,
    mode: "code",
    model: "openai/test",
    createdBy: "admin",
  });
  const attemptId = (await store.tasks.get(taskId))?.attempts[0]?.id;
  if (!attemptId) throw new Error("the task has no attempt");
  return attemptId;
}
