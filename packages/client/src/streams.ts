import { Event, SSE_EVENT, SSE_TASK, Task } from "@cadre/protocol";
import type { CadreClient } from "./cadre-client.ts";
import { sseMessages, type SseOptions } from "./sse-stream.ts";

/** Every event of an attempt after `after` (seq), live, resuming across reconnects. */
export async function* streamAttemptEvents(
  client: CadreClient,
  attemptId: string,
  after = 0,
  opts: Omit<SseOptions, "lastEventId"> = {},
): AsyncGenerator<Event> {
  const url = client.url("/attempts/:id/events/stream", { id: attemptId });
  for await (const m of sseMessages(client, url, { ...opts, lastEventId: String(after) })) {
    if (m.event !== SSE_EVENT) continue;
    // An event type newer than this client is skipped rather than ending the stream.
    const parsed = Event.safeParse(JSON.parse(m.data));
    if (parsed.success) yield parsed.data as Event;
  }
}

/** Task-level changes (created, status, review), live. */
export async function* streamTaskChanges(client: CadreClient, opts: SseOptions = {}): AsyncGenerator<Task> {
  for await (const m of sseMessages(client, client.url("/tasks/stream"), opts)) {
    if (m.event === SSE_TASK) yield Task.parse(JSON.parse(m.data));
  }
}
