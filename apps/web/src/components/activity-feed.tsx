import { useEffect, useLayoutEffect, useRef, useState } from "react";
import { useVirtualizer } from "@tanstack/react-virtual";
import type { ActivityLog } from "../lib/activity.ts";
import { ActivityItemView } from "./activity-item.tsx";

/**
 * The attempt's activity, virtualized (only what is on screen is in the DOM, so thousands of
 * events stay fast). It follows new activity while scrolled to the bottom.
 */
export function ActivityFeed({ log, version, loading }: { log: ActivityLog; version: number; loading: boolean }) {
  const parent = useRef<HTMLDivElement>(null);
  const follow = useRef(true);
  const [away, setAway] = useState(false);
  const items = log.items;
  const v = useVirtualizer({
    count: items.length,
    getScrollElement: () => parent.current,
    estimateSize: (i) => (items[i]?.kind === "command" ? 120 : 56),
    getItemKey: (i) => items[i]?.key ?? i,
    overscan: 6,
  });

  useEffect(() => {
    const el = parent.current;
    if (!el) return;
    const onScroll = () => {
      follow.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
      setAway(!follow.current);
    };
    el.addEventListener("scroll", onScroll, { passive: true });
    return () => el.removeEventListener("scroll", onScroll);
  }, []);

  useLayoutEffect(() => {
    if (follow.current && items.length) v.scrollToIndex(items.length - 1, { align: "end" });
  }, [version, items.length, v]);

  const toLatest = () => {
    follow.current = true;
    setAway(false);
    if (items.length) v.scrollToIndex(items.length - 1, { align: "end" });
  };

  return (
    <div className="feed-wrap">
      {away && (
        <button className="btn btn-sm feed-latest" onClick={toLatest}>
          ↓ Latest activity
        </button>
      )}
      <div
        ref={parent}
        className="feed"
        role="log"
        aria-label="Activity"
        aria-busy={loading}
        data-version={version}
        data-last-seq={log.lastSeq}
      >
        {items.length === 0 && (
          <p className="muted feed-empty">{loading ? "Loading activity…" : "Waiting for the agent to start…"}</p>
        )}
        <div style={{ height: v.getTotalSize(), position: "relative", width: "100%" }}>
          {v.getVirtualItems().map((vi) => {
            const item = items[vi.index];
            if (!item) return null;
            return (
              <div
                key={vi.key}
                data-index={vi.index}
                ref={v.measureElement}
                className="feed-row"
                style={{ transform: `translateY(${vi.start}px)` }}
              >
                <ActivityItemView item={item} rev={item.rev} />
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
