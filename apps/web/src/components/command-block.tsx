import { useEffect, useRef, useState } from "react";
import { formatDuration } from "../lib/format.ts";
import type { ActivityItem } from "../lib/activity.ts";

type Command = ActivityItem & { kind: "command" };

/** One shell command: output streams in while it runs; it folds once finished (failures stay open). */
export function CommandBlock({ item }: { item: Command; rev: number }) {
  const failed = item.done && (item.exitCode !== 0 || item.isError);
  const [open, setOpen] = useState<boolean | null>(null);
  const expanded = open ?? (!item.done || failed);
  const pre = useRef<HTMLPreElement>(null);
  useEffect(() => {
    // Keep the newest output in view while it streams.
    if (expanded && !item.done && pre.current) pre.current.scrollTop = pre.current.scrollHeight;
  });
  const state = !item.done ? "running" : failed ? "failed" : "ok";
  return (
    <div className={`cmd cmd-${state}`} data-call-id={item.callId} data-state={state}>
      <button
        className="cmd-head"
        aria-expanded={expanded}
        onClick={() => setOpen(!expanded)}
        aria-label={`Command ${item.command}${expanded ? ", hide output" : ", show output"}`}
      >
        <span className="chev" aria-hidden>
          {expanded ? "▾" : "▸"}
        </span>
        <code className="cmd-text">$ {item.command}</code>
        <span className="cmd-meta">
          {!item.done && <span className="spinner" aria-label="running" />}
          {item.done && item.exitCode !== null && (
            <span className={`exit ${item.exitCode === 0 ? "exit-ok" : "exit-bad"}`} data-exit-code={item.exitCode}>
              exit {item.exitCode}
            </span>
          )}
          {item.done && item.exitCode === null && item.isError && <span className="exit exit-bad">error</span>}
          {item.interrupted && <span className="exit exit-bad">interrupted</span>}
          {item.durationMs !== null && <span className="muted">{formatDuration(item.durationMs)}</span>}
        </span>
      </button>
      {expanded && (
        <pre ref={pre} className="cmd-output" aria-label="Command output" aria-live={item.done ? "off" : "polite"}>
          {item.output || (item.done ? "(no output)" : "")}
          {item.truncated && "\n… output truncated here; the full output is in the command's result."}
        </pre>
      )}
    </div>
  );
}
