import { Event, EventBody, SSE_EVENT } from "@cadre/protocol";
import { errorFromBody, parseJsonBody, sseMessages, type CadreClient } from "@cadre/client";

const KNOWN = new Set<string>(EventBody.options.map((o) => o.shape.type.value));

/**
 * Events are checked one by one so an event type newer than this app is skipped instead of
 * failing the whole page (the typed client's list parser rejects the page on an unknown type).
 * Known types from the server are taken after a cheap envelope check: a full schema parse of
 * thousands of events costs more than fetching them; anything odd gets the full parse.
 */
function parseEvent(raw: unknown): Event | null {
  if (typeof raw !== "object" || raw === null) return null;
  const r = raw as Record<string, unknown>;
  if (typeof r.type !== "string" || !KNOWN.has(r.type)) return null;
  if (
    typeof r.seq === "number" &&
    typeof r.attemptId === "string" &&
    typeof r.turn === "number" &&
    typeof r.at === "string"
  )
    return raw as Event;
  const full = Event.safeParse(raw);
  return full.success ? (full.data as Event) : null;
}

export async function fetchEventPage(
  client: CadreClient,
  attemptId: string,
  { after, limit, signal }: { after: number; limit: number; signal?: AbortSignal | undefined },
): Promise<{ items: Event[]; lastSeq: number; seen: number; maxSeq: number }> {
  const res = await client.request(
    "GET",
    client.url("/attempts/:id/events", { id: attemptId }, { after, limit }),
    signal ? { signal } : {},
  );
  const json = parseJsonBody(await res.text().catch(() => ""));
  const body = json as { items?: unknown[]; lastSeq?: number } | undefined;
  if (!res.ok || !body || !Array.isArray(body.items))
    throw errorFromBody(res.status, json, `loading events failed with ${res.status}`);
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
export async function* liveEvents(
  client: CadreClient,
  attemptId: string,
  after: number,
  signal: AbortSignal,
): AsyncGenerator<Event> {
  const url = client.url("/attempts/:id/events/stream", { id: attemptId });
  for await (const m of sseMessages(client, url, { signal, lastEventId: String(after) })) {
    if (m.event !== SSE_EVENT) continue;
    const e = parseEvent(JSON.parse(m.data));
    if (e) yield e;
  }
}
