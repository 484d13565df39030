import type { Store } from "@cadre/store";
import { newTask } from "@cadre/store/testing";

/** The first attempt's id of a new task on the store's "demo" repo (the store's own newTask), for the tail tests. */
export async function newAttempt(store: Store): Promise<string> {
  const { taskId } = await newTask(store);
  const attemptId = (await store.tasks.get(taskId))?.attempts[0]?.id;
  if (!attemptId) throw new Error("the task has no attempt");
  return attemptId;
}
