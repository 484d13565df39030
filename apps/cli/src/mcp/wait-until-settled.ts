import type { CadreClient } from "@cadre/client";
import { isTerminal, type TaskWithAttempts } from "@cadre/protocol";
import { waitForAttempts } from "../wait-for-attempts.ts";

const settled = (t: TaskWithAttempts) =>
  t.attempts.every((a) => isTerminal(a.status) || a.status === "waiting_for_input");

/**
 * Waits until every attempt of the task has finished or asks for input, or until `timeoutMs`
 * passes (then returns the task as it is, still running: the caller can wait again).
 */
export async function waitUntilSettled(
  client: CadreClient,
  taskId: string,
  timeoutMs: number,
  from?: Map<string, number>,
): Promise<{ task: TaskWithAttempts; timedOut: boolean }> {
  const task = await client.call("getTask", { params: { id: taskId } });
  if (!from && settled(task)) return { task, timedOut: false };
  // Unsettled attempts are followed from their current seq: the settling event comes after it.
  const seqs =
    from ??
    new Map(
      task.attempts
        .filter((a) => !(isTerminal(a.status) || a.status === "waiting_for_input"))
        .map((a) => [a.id, a.lastSeq]),
    );
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  try {
    // On timeout the event streams end quietly and the task is read as it is then.
    const done = await waitForAttempts(client, task, seqs, () => undefined, ac.signal);
    return { task: done, timedOut: ac.signal.aborted && !settled(done) };
  } finally {
    clearTimeout(timer);
  }
}
