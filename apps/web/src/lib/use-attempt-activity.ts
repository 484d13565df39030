import { useEffect, useRef, useState } from "react";
import { ActivityLog } from "./activity.ts";
import { useApi } from "./api-context.tsx";
import { errorMessage } from "./error-message.ts";
import { fetchEventPage, liveEvents } from "./event-feed.ts";
import type { Event } from "@cadre/protocol";

const PAGE = 1000;

export interface AttemptActivity {
  log: ActivityLog;
  /** Changes whenever the log changed, to re-render. */
  version: number;
  loading: boolean;
  error: string | null;
}

/**
 * The activity of one attempt: the stored events page by page (the first page renders at once),
 * then the live stream from the last seq seen. Bursts are applied in one render.
 */
export function useAttemptActivity(attemptId: string | null, onEvent?: (e: Event) => void): AttemptActivity {
  const { client, check } = useApi();
  const [state, setState] = useState<AttemptActivity>(() => ({ log: new ActivityLog(), version: 0, loading: true, error: null }));
  const onEventRef = useRef(onEvent);
  onEventRef.current = onEvent;

  useEffect(() => {
    const log = new ActivityLog();
    setState({ log, version: 0, loading: true, error: null });
    if (!attemptId) return;
    const ctrl = new AbortController();
    let version = 0;
    let pending: Event[] = [];
    let scheduled = false;
    const flush = () => {
      scheduled = false;
      const batch = pending;
      pending = [];
      if (log.apply(batch)) setState((s) => ({ ...s, log, version: ++version }));
      for (const e of batch) onEventRef.current?.(e);
    };
    void (async () => {
      try {
        let after = 0;
        for (;;) {
          const page = await fetchEventPage(client, attemptId, after, PAGE, ctrl.signal);
          log.apply(page.items);
          after = page.maxSeq;
          setState({ log, version: ++version, loading: page.seen === PAGE, error: null });
          if (page.seen < PAGE) break;
        }
        for await (const e of liveEvents(client, attemptId, after, ctrl.signal)) {
          pending.push(e);
          if (!scheduled) {
            scheduled = true;
            setTimeout(flush, 0);
          }
        }
      } catch (e) {
        if (ctrl.signal.aborted) return;
        check(e);
        setState((s) => ({ ...s, loading: false, error: errorMessage(e) }));
      }
    })();
    return () => ctrl.abort();
  }, [attemptId, client, check]);

  return state;
}
