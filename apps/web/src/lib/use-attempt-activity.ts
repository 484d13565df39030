import { useEffect, useRef, useState } from "react";
import { ActivityLog } from "./activity.ts";
import { useApi } from "./api-context.tsx";
import { errorMessage } from "./error-message.ts";
import { fetchEventPage, liveEvents } from "./event-feed.ts";
import type { Event } from "@cadre/protocol";

/** A small first page paints quickly; the rest comes in large pages behind it. */
const FIRST_PAGE = 200;
const PAGE = 1000;
const PARALLEL = 4;

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
  const [state, setState] = useState<AttemptActivity>(() => ({
    log: new ActivityLog(),
    version: 0,
    loading: true,
    error: null,
  }));
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
        const first = await fetchEventPage(client, attemptId, { after: 0, limit: FIRST_PAGE, signal: ctrl.signal });
        log.apply(first.items);
        let after = first.maxSeq;
        setState({ log, version: ++version, loading: first.seen === FIRST_PAGE, error: null });
        if (first.seen === FIRST_PAGE) {
          // Seqs have no gaps, so the rest can be fetched as ranges in parallel and applied in order.
          const starts: number[] = [];
          for (let a = after; a < first.lastSeq; a += PAGE) starts.push(a);
          const inflight = new Map<number, ReturnType<typeof fetchEventPage>>();
          const start = (i: number) => {
            const a = starts[i];
            if (a !== undefined && !inflight.has(i))
              inflight.set(i, fetchEventPage(client, attemptId, { after: a, limit: PAGE, signal: ctrl.signal }));
          };
          for (let i = 0; i < starts.length; i++) {
            for (let k = i; k < i + PARALLEL; k++) start(k);
            const page = await (inflight.get(i) as ReturnType<typeof fetchEventPage>);
            inflight.delete(i);
            log.apply(page.items);
            after = Math.max(after, page.maxSeq);
            setState({ log, version: ++version, loading: i < starts.length - 1, error: null });
          }
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
