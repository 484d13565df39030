import { Event, SSE_EVENT } from "@cadre/protocol";
import { CadreApiError, sseMessages, type CadreClient } from "@cadre/client";

/**
 * Events are parsed one by one so an event type newer than this app is skipped instead of
 * failing the whole page (the typed client's list parser rejects the page on an unknown type).
 */
function parseEvent(raw: unknown): Event | null {
  const r = Event.safeParse(raw);
  return r.success ? (r.data as Event) : null;
}

export async function fetchEventPage(client: CadreClient, attemptId: string, after: number, limit: number, signal?: AbortSignal): Promise<{ items: Event[]; lastSeq: number; seen: number; maxSeq: number }> {
  const res = await client.request("GET", client.url("/attempts/:id/events", { id: attemptId }, { after, limit }), signal ? { signal } : {});
  const body = (await res.json().catch(() => null)) as { items?: unknown[]; lastSeq?: number; error?: { code: string; message: string } } | null;
  if (!res.ok || !body || !Array.isArray(body.items)) {
    throw new CadreApiError((body?.error?.code as "internal" | undefined) ?? "internal", body?.error?.message ?? `loading events failed with ${res.status}`, res.status);
  }
  const items: Event[] = [];
  let maxSeq = after;
  for (const raw of body.items) {
    const seq = (raw as { seq?: unknown }).seq;
    if (typeof seq === "number" && seq > maxSeq) maxSeq = seq;
    const e = parseEvent(raw);
    if (e) items.push(e);
  }
  return { items, lastSeq: body.lastSeq ?? maxSeq, seen: body.items.length, maxSeq };
}

/** Live events after `after`, resuming with Last-Event-ID across dropped connections. */
export async function* liveEvents(client: CadreClient, attemptId: string, after: number, signal: AbortSignal): AsyncGenerator<Event> {
  const url = client.url("/attempts/:id/events/stream", { id: attemptId });
  for await (const m of sseMessages(client, url, { signal, lastEventId: String(after) })) {
    if (m.event !== SSE_EVENT) continue;
    const e = parseEvent(JSON.parse(m.data));
    if (e) yield e;
  }
}
