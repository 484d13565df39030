import { useEffect, useState } from "react";
import type { Attempt, TaskWithAttempts } from "@cadre/protocol";
import { useApi } from "../lib/api-context.tsx";
import { formatCost } from "../lib/format.ts";
import { StatusBadge } from "./status-badge.tsx";
import { Markdown } from "./markdown.tsx";
import { AttemptToAttemptDiff } from "./attempt-to-attempt-diff.tsx";

interface Stats {
  files: number;
  additions: number;
  deletions: number;
}

/** Best-of-N side by side: status, summary, diff size, tests and cost of each attempt; pick one to review and approve. */
export function AttemptsCompare({
  task,
  selected,
  onSelect,
}: {
  task: TaskWithAttempts;
  selected: number;
  onSelect: (index: number) => void;
}) {
  const { client } = useApi();
  const [stats, setStats] = useState<Record<string, Stats>>({});
  const heads = task.attempts.map((a) => `${a.id}:${a.headCommit ?? ""}`).join(",");
  useEffect(() => {
    let live = true;
    for (const a of task.attempts) {
      // Newer servers carry the stats on the attempt; older ones need a one-file diff page.
      if (!a.headCommit || a.changes) continue;
      // One file per page is enough: the page carries the whole diff's totals.
      client.call("attemptDiff", { params: { id: a.id }, query: { limit: 1 } }).then(
        (d) => {
          if (live)
            setStats((s) => ({
              ...s,
              [a.id]: { files: d.totalFiles, additions: d.additions, deletions: d.deletions },
            }));
        },
        () => undefined,
      );
    }
    return () => {
      live = false;
    };
  }, [client, heads]);

  const chosen = task.review.attemptId;
  return (
    <>
      <div className="compare" role="list" aria-label="Attempts">
        {task.attempts.map((a: Attempt) => {
          const s = a.changes
            ? { files: a.changes.filesChanged, additions: a.changes.additions, deletions: a.changes.deletions }
            : stats[a.id];
          return (
            <article
              key={a.id}
              role="listitem"
              className={`attempt-card${a.index === selected ? " selected" : ""}`}
              aria-label={`Attempt ${a.index}`}
              data-attempt={a.index}
            >
              <header>
                <strong>Attempt {a.index}</strong>
                <StatusBadge status={a.status} waitingFor={a.waitingFor} />
                {chosen === a.id && <span className="pill pill-applied">approved</span>}
              </header>
              <div className="attempt-summary">
                {a.summary ? (
                  <Markdown text={a.summary} />
                ) : (
                  <p className="muted">{a.failureMessage ?? (a.status === "completed" ? "No summary." : "Working…")}</p>
                )}
              </div>
              <dl className="attempt-stats">
                <div>
                  <dt>Changes</dt>
                  <dd>
                    {s ? (
                      <>
                        {s.files} file{s.files === 1 ? "" : "s"} <span className="add">+{s.additions}</span>{" "}
                        <span className="del">−{s.deletions}</span>
                      </>
                    ) : a.headCommit ? (
                      "…"
                    ) : (
                      "none"
                    )}
                  </dd>
                </div>
                <div>
                  <dt>Tests</dt>
                  <dd>
                    {task.testCommand === null ? (
                      <span className="muted">not configured</span>
                    ) : a.testsPassed === null ? (
                      <span className="muted">not run yet</span>
                    ) : a.testsPassed ? (
                      <span className="text-ok">passed</span>
                    ) : (
                      <span className="text-bad">failed</span>
                    )}
                  </dd>
                </div>
                <div>
                  <dt>Cost</dt>
                  <dd>{formatCost(a.usage.costUsd)}</dd>
                </div>
                <div>
                  <dt>Turns</dt>
                  <dd>{a.turnCount}</dd>
                </div>
              </dl>
              <button
                className={`btn btn-sm${a.index === selected ? " btn-primary" : ""}`}
                aria-pressed={a.index === selected}
                onClick={() => onSelect(a.index)}
              >
                {a.index === selected ? "Chosen" : `Choose attempt ${a.index}`}
              </button>
            </article>
          );
        })}
      </div>
      {task.attempts.filter((a) => a.headCommit).length > 1 && <AttemptToAttemptDiff task={task} first={selected} />}
    </>
  );
}
