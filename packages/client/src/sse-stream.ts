import { createParser, type EventSourceMessage } from "eventsource-parser";
import { errorFromBody, parseJsonBody } from "./error-body.ts";
import type { CadreClient } from "./cadre-client.ts";

export interface SseOptions {
  signal?: AbortSignal;
  /** Resume point sent as Last-Event-ID. */
  lastEventId?: string;
  /** Reconnect after a dropped connection (default true), resuming from the last id seen. */
  reconnect?: boolean;
  onReconnect?: (attempt: number, error: unknown) => void;
}

/**
 * Reads a server-sent-events route with fetch (so it works in Node, browsers and VS Code alike),
 * reconnecting with Last-Event-ID so no event is missed or repeated.
 */
export async function* sseMessages(
  client: CadreClient,
  url: string,
  opts: SseOptions = {},
): AsyncGenerator<EventSourceMessage> {
  let lastId = opts.lastEventId;
  let failures = 0;
  while (!opts.signal?.aborted) {
    let res: Response;
    try {
      res = await client.request("GET", url, {
        headers: { Accept: "text/event-stream", ...(lastId ? { "Last-Event-ID": lastId } : {}) },
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
    } catch (e) {
      if (opts.signal?.aborted) return;
      if (opts.reconnect === false) throw e;
      failures++;
      opts.onReconnect?.(failures, e);
      await new Promise((r) => setTimeout(r, Math.min(200 * 2 ** failures, 5000)));
      continue;
    }
    if (!res.ok || !res.body) {
      const text = await res.text().catch(() => "");
      throw errorFromBody(res.status, parseJsonBody(text), `event stream failed with ${res.status}`);
    }
    failures = 0;
    const pending: EventSourceMessage[] = [];
    const parser = createParser({ onEvent: (m) => pending.push(m) });
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        parser.feed(value);
        while (pending.length) {
          const m = pending.shift() as EventSourceMessage;
          if (m.id) lastId = m.id;
          yield m;
        }
      }
    } catch (e) {
      if (opts.signal?.aborted) return;
      if (opts.reconnect === false) throw e;
      opts.onReconnect?.(++failures, e);
    } finally {
      // Ends the HTTP request too when the consumer stops early (break/return), so no connection lingers.
      await reader.cancel().catch(() => undefined);
    }
    if (opts.reconnect === false) return;
  }
}
