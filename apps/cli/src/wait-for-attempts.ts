import { isParked, type Event, type TaskWithAttempts } from "@cadre/protocol";
import { streamAttemptEvents, type CadreClient } from "@cadre/client";

/** An attempt's run has settled when it finished or waits for input. */
export function settles(e: Event): boolean {
  return e.type === "status" && isParked(e.status);
}

/**
 * Follows each attempt's events after `afterSeq` (its seq when the run was requested) until the
 * run settles, then returns the task as it is then.
 */
export async function waitForAttempts(
  client: CadreClient,
  task: TaskWithAttempts,
  afterSeq: Map<string, number>,
  { onEvent, signal }: { onEvent: (e: Event, attemptIndex: number) => void; signal?: AbortSignal | undefined },
): Promise<TaskWithAttempts> {
  await Promise.all(
    task.attempts
      .filter((a) => afterSeq.has(a.id))
      .map(async (a) => {
        const ac = new AbortController();
        signal?.addEventListener("abort", () => ac.abort());
        try {
          for await (const e of streamAttemptEvents(client, a.id, afterSeq.get(a.id) ?? 0, { signal: ac.signal })) {
            onEvent(e, a.index);
            if (settles(e)) break;
          }
        } finally {
          ac.abort();
        }
      }),
  );
  return client.call("getTask", { params: { id: task.id } });
}
