import { useMemo, useState } from "react";
import type { TaskWithAttempts } from "@cadre/protocol";
import { useAttemptDiff } from "../lib/use-attempt-diff.ts";
import { buildRows, ROW_HEIGHT } from "../lib/diff-rows.ts";
import { DiffRowView } from "./diff-row-view.tsx";

/** Beyond this many rows the comparison says so instead of rendering them all (it is not virtualized). */
const MAX_ROWS = 3000;
const ignore = () => undefined;

/** What one attempt did differently from another: the diff from attempt B's result to attempt A's. */
export function AttemptToAttemptDiff({ task, first }: { task: TaskWithAttempts; first: number }) {
  const withChanges = task.attempts.filter((a) => a.headCommit);
  const [a, setA] = useState(first);
  const [b, setB] = useState(() => withChanges.find((x) => x.index !== first)?.index ?? first);
  const left = task.attempts.find((x) => x.index === b);
  const right = task.attempts.find((x) => x.index === a);
  const same = a === b;
  const diff = useAttemptDiff(
    same ? null : (right?.id ?? null),
    `${right?.headCommit ?? ""}:${left?.headCommit ?? ""}`,
    null,
    left?.id ?? null,
  );
  const { rows } = useMemo(() => buildRows(diff.files, false, new Set()), [diff.files]);
  const picker = (value: number, set: (i: number) => void, label: string) => (
    <select className="input" aria-label={label} value={value} onChange={(e) => set(Number(e.target.value))}>
      {task.attempts.map((x) => (
        <option key={x.id} value={x.index}>
          Attempt {x.index}
        </option>
      ))}
    </select>
  );
  return (
    <section className="attempts-diff" aria-label="Difference between attempts">
      <div className="attempts-diff-head">
        <h3>Difference between attempts</h3>
        <span>
          from {picker(b, setB, "Compare from attempt")} to {picker(a, setA, "Compare to attempt")}
        </span>
        {!same && !diff.loading && !diff.error && (
          <span className="muted">
            {diff.totalFiles === 0
              ? "no difference: both attempts made the same change"
              : `${diff.totalFiles} file${diff.totalFiles === 1 ? " differs" : "s differ"}`}
          </span>
        )}
      </div>
      {same && <p className="muted">Pick two different attempts to see what one did differently.</p>}
      {diff.error && (
        <p className="alert alert-error" role="alert">
          {diff.error}
        </p>
      )}
      {!same && rows.length > 1 && (
        <div className="diff-rows attempts-diff-rows" role="region" aria-label="Attempts diff" tabIndex={0}>
          {rows.slice(0, MAX_ROWS).map((row, i) => {
            const file = diff.files[row.fi];
            return file ? (
              <div key={i} style={{ height: ROW_HEIGHT[row.t] }}>
                <DiffRowView
                  row={row}
                  file={file}
                  accepted
                  collapsed={false}
                  selectable={false}
                  onToggleHunk={ignore}
                  onToggleCollapse={ignore}
                />
              </div>
            ) : null;
          })}
          {rows.length > MAX_ROWS && (
            <p className="muted drow-note">
              {rows.length - MAX_ROWS} more lines: open each attempt's Diff tab, or compare them with git.
            </p>
          )}
        </div>
      )}
    </section>
  );
}
