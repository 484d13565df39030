import { useEffect, useState } from "react";
import type { ConflictMatrix, TaskWithAttempts } from "@cadre/protocol";
import { useApi } from "../lib/api-context.tsx";
import { errorMessage } from "../lib/error-message.ts";
import { Link } from "../lib/link.tsx";

/**
 * Conflicts before the task ran (paths it expected to touch that a running task also touches)
 * and after (the merge-tree matrix against the target branch and the other finished tasks).
 */
export function ConflictsPanel({
  task,
  potential,
  onResolve,
}: {
  task: TaskWithAttempts;
  potential: { otherTaskId: string; paths: string[] }[];
  onResolve: () => void;
}) {
  const { client, check } = useApi();
  const [matrix, setMatrix] = useState<ConflictMatrix | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setError(null);
    client.call("repoConflicts", { params: { id: task.repoId }, query: { target: task.baseRef } }).then(
      (m) => live && setMatrix(m),
      (e: unknown) => {
        if (!live) return;
        check(e);
        setError(errorMessage(e));
      },
    );
    return () => {
      live = false;
    };
  }, [client, check, task.repoId, task.baseRef, tick, task.updatedAt]);

  const titles = new Map(matrix?.tasks.map((t) => [t.taskId, t.title]) ?? []);
  // Found at creation (task fields) or reported later as events; one line per other task.
  const before = new Map<string, { title: string | null; paths: string[] }>();
  for (const c of task.potentialConflicts ?? []) before.set(c.taskId, { title: c.title, paths: c.paths });
  for (const c of potential) if (!before.has(c.otherTaskId)) before.set(c.otherTaskId, { title: null, paths: c.paths });
  const queued = task.queueAfter ?? [];
  const mine = matrix?.pairs.filter((p) => p.a === task.id || p.b === task.id) ?? [];
  const conflicting = mine.filter((p) => !p.clean);
  const inMatrix = matrix?.tasks.some((t) => t.taskId === task.id);

  return (
    <div className="conflicts">
      <section className="panel">
        <h3>Before it started</h3>
        {before.size === 0 ? (
          <p className="muted">No active task on {task.repoName} expected to touch the same files.</p>
        ) : (
          <ul className="conflict-list" aria-label="Potential conflicts">
            {[...before.entries()].map(([id, c]) => (
              <li key={id} className="potential-item" data-other={id}>
                <span className="badge badge-waiting_for_input">
                  <span className="badge-dot" />
                  potential
                </span>{" "}
                with <Link href={`/tasks/${id}`}>{c.title ?? id}</Link>: both expect to touch{" "}
                {c.paths.map((x) => (
                  <code key={x} className="file-chip">
                    {x}
                  </code>
                ))}
              </li>
            ))}
          </ul>
        )}
        {queued.length > 0 && (
          <p className="alert alert-info">
            Queued behind {queued.length} task{queued.length === 1 ? "" : "s"}: it starts once{" "}
            {queued.map((id, i) => (
              <span key={id}>
                {i ? ", " : ""}
                <Link href={`/tasks/${id}`}>{before.get(id)?.title ?? id}</Link>
              </span>
            ))}{" "}
            {queued.length === 1 ? "has" : "have"} finished.
          </p>
        )}
        {(task.expectedPaths ?? []).length > 0 && (
          <p className="muted small">
            Expected to touch:{" "}
            {task.expectedPaths.map((x) => (
              <code key={x} className="file-chip">
                {x}
              </code>
            ))}
          </p>
        )}
      </section>
      <section className="panel" aria-label="Conflict matrix">
        <div className="panel-head">
          <h3>Against {task.baseRef} and other finished tasks</h3>
          <button className="btn btn-sm" onClick={() => setTick((t) => t + 1)}>
            Check again
          </button>
        </div>
        {error && (
          <p className="alert alert-error" role="alert">
            {error}
          </p>
        )}
        {!matrix && !error && <p className="muted">Checking with git merge-tree…</p>}
        {matrix && !inMatrix && (
          <p className="muted">
            This task is not in the check: only finished, unapproved tasks with changes are compared.
          </p>
        )}
        {matrix && inMatrix && conflicting.length === 0 && (
          <p className="text-ok">
            No conflicts: this task merges cleanly with {task.baseRef} and every other finished task.
          </p>
        )}
        {conflicting.length > 0 && (
          <>
            <ul className="conflict-list" aria-label="Conflicts">
              {conflicting.map((p) => {
                const other = p.a === task.id ? p.b : p.a;
                return (
                  <li key={`${p.a}-${p.b}`} className="conflict-item" data-other={other}>
                    <span className="badge badge-failed">
                      <span className="badge-dot" />
                      conflict
                    </span>{" "}
                    {other === "target" ? (
                      <>
                        with <strong>{task.baseRef}</strong> (it moved since the task started)
                      </>
                    ) : (
                      <>
                        with <Link href={`/tasks/${other}`}>{titles.get(other) ?? other}</Link>
                      </>
                    )}
                    {" in "}
                    {p.paths.map((x) => (
                      <code key={x} className="file-chip">
                        {x}
                      </code>
                    ))}
                  </li>
                );
              })}
            </ul>
            <button className="btn btn-primary" onClick={onResolve}>
              Resolve conflicts (follow-up)
            </button>
          </>
        )}
        {matrix && matrix.tasks.length > 1 && <MatrixGrid matrix={matrix} highlight={task.id} />}
      </section>
    </div>
  );
}

function MatrixGrid({ matrix, highlight }: { matrix: ConflictMatrix; highlight: string }) {
  const ids = ["target", ...matrix.tasks.map((t) => t.taskId)];
  const label = (id: string) =>
    id === "target" ? matrix.target : (matrix.tasks.find((t) => t.taskId === id)?.title ?? id);
  const cell = (a: string, b: string) => matrix.pairs.find((p) => (p.a === a && p.b === b) || (p.a === b && p.b === a));
  return (
    <div className="matrix-wrap">
      <table className="matrix" aria-label="Conflict matrix table">
        <thead>
          <tr>
            <th />
            {ids.map((id) => (
              <th key={id} scope="col" title={label(id)} className={id === highlight ? "hl" : ""}>
                {id === "target" ? matrix.target : <Link href={`/tasks/${id}`}>{label(id).slice(0, 18)}</Link>}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {ids.map((a) => (
            <tr key={a}>
              <th scope="row" title={label(a)} className={a === highlight ? "hl" : ""}>
                {label(a).slice(0, 24)}
              </th>
              {ids.map((b) => {
                const p = a === b ? undefined : cell(a, b);
                return (
                  <td
                    key={b}
                    className={p ? (p.clean ? "ok" : "bad") : "none"}
                    title={p ? (p.clean ? "merges cleanly" : `conflicts in ${p.paths.join(", ")}`) : ""}
                  >
                    {p ? (p.clean ? "✓" : "✕") : ""}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
