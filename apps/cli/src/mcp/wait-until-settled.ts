import type { CadreClient } from "@cadre/client";
import { isParked, type Attempt, type Event, type TaskWithAttempts } from "@cadre/protocol";
import { waitForAttempts } from "../wait-for-attempts.ts";

// A follow-up or answer leaves the status as it was until a runner takes the run: that is not settled.
const attemptSettled = (attempt: Attempt) => !attempt.runRequested && isParked(attempt.status);
const settled = (task: TaskWithAttempts) => task.attempts.every(attemptSettled);

export interface WaitOptions {
  taskId: string;
  timeoutMs: number;
  /** Seq to follow each attempt from (default: the unsettled attempts from their current seq). */
  from?: Map<string, number>;
  /** Called once per followed attempt when the wait starts, then for every event. */
  onStart?: (attempt: Attempt) => void;
  onEvent?: (event: Event, attemptIndex: number) => void;
}

/**
 * Waits until every attempt of the task has finished or asks for input, or until `timeoutMs`
 * passes (then returns the task as it is, still running: the caller can wait again).
 */
export async function waitUntilSettled(
  client: CadreClient,
  opts: WaitOptions,
): Promise<{ task: TaskWithAttempts; timedOut: boolean }> {
  const task = await client.call("getTask", { params: { id: opts.taskId } });
  if (!opts.from && settled(task)) return { task, timedOut: false };
  // Unsettled attempts are followed from their current seq: the settling event comes after it.
  const seqs =
    opts.from ??
    new Map(
      task.attempts.filter((attempt) => !attemptSettled(attempt)).map((attempt) => [attempt.id, attempt.lastSeq]),
    );
  for (const attempt of task.attempts) if (seqs.has(attempt.id)) opts.onStart?.(attempt);
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), opts.timeoutMs);
  try {
    // On timeout the event streams end quietly and the task is read as it is then.
    const done = await waitForAttempts(client, task, seqs, {
      onEvent: opts.onEvent ?? (() => undefined),
      signal: abort.signal,
    });
    return { task: done, timedOut: abort.signal.aborted && !settled(done) };
  } finally {
    clearTimeout(timer);
  }
}
