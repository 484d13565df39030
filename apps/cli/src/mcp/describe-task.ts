import type { CadreClient } from "@cadre/client";
import type { TaskOutput } from "./output-schemas.ts";
import { pendingInput } from "./pending-input.ts";
import { taskView } from "./task-view.ts";

/** A task with what its waiting attempts asked, so the calling agent can answer in one step. */
export async function describeTask(
  client: CadreClient,
  taskId: string,
  opts: { timedOut?: boolean } = {},
): Promise<TaskOutput> {
  const task = await client.call("getTask", { params: { id: taskId } });
  const pending = (await Promise.all(task.attempts.map((attempt) => pendingInput(client, attempt)))).filter(
    (input) => input !== null,
  );
  return {
    ...taskView(task),
    ...(pending.length ? { waiting: pending } : {}),
    ...(opts.timedOut ? { note: "still running: call wait_for_task again" } : {}),
  };
}
