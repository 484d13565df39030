import { CadreError, type Attempt, type TaskWithAttempts } from "@cadre/protocol";
import { chosenAttempt, type CadreClient } from "@cadre/client";

/** Resolves `<task> [--attempt N]` (or an attempt id) to one attempt. */
export async function resolveAttempt(
  client: CadreClient,
  id: string,
  index: number | undefined,
): Promise<{ task: TaskWithAttempts; attempt: Attempt }> {
  if (id.startsWith("att_")) {
    const attempt = await client.call("getAttempt", { params: { id } });
    const task = await client.call("getTask", { params: { id: attempt.taskId } });
    return { task, attempt };
  }
  const task = await client.call("getTask", { params: { id } });
  const attempt = chosenAttempt(task, index);
  if (!attempt)
    throw new CadreError("not_found", `task ${task.id} has no attempt ${index} (it has ${task.attemptCount})`);
  return { task, attempt };
}
