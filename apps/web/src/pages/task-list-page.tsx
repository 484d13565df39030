import { useEffect, useMemo, useState } from "react";
import { AttemptStatus } from "@cadre/protocol";
import { useTaskList, type TaskFilters } from "../lib/use-task-list.ts";
import { useRepos } from "../lib/use-repos.ts";
import { navigate, useLocation } from "../lib/router.ts";
import { Link } from "../lib/link.tsx";
import { formatCost, statusLabel } from "../lib/format.ts";
import { StatusBadge } from "../components/status-badge.tsx";
import { ReviewPill } from "../components/review-pill.tsx";
import { RelativeTime } from "../components/relative-time.tsx";
import { useShortcuts } from "../lib/use-shortcuts.ts";
import { useTitle } from "../lib/use-title.ts";

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

export function TaskListPage() {
  const { query } = useLocation();
  const status = (query.get("status") ?? "") as TaskFilters["status"];
  const repo = query.get("repo") ?? "";
  const [search, setSearch] = useState(query.get("q") ?? "");
  const q = useDebounced(search.trim(), 250);
  const filters = useMemo<TaskFilters>(() => ({ status, repo, q }), [status, repo, q]);
  const { tasks, loading, error, more } = useTaskList(filters);
  const { repos } = useRepos();
  const waiting = tasks.filter((t) => t.status === "waiting_for_input").length;
  useTitle(waiting ? `(${waiting} need input) Tasks` : "Tasks");

  // j/k move through the list, Enter (or o) opens the selected task.
  const [cursor, setCursor] = useState(-1);
  useShortcuts(
    useMemo(() => {
      const open = () => {
        const t = tasks[cursor];
        if (t) navigate(`/tasks/${t.id}`);
      };
      return {
        j: () => setCursor((c) => Math.min(tasks.length - 1, c + 1)),
        k: () => setCursor((c) => Math.max(0, c - 1)),
        o: open,
        Enter: () => {
          if (document.activeElement === document.body) open();
        },
      };
    }, [tasks, cursor]),
  );
  useEffect(() => {
    document.querySelector(".task-table tr.kb-selected")?.scrollIntoView({ block: "nearest" });
  }, [cursor]);

  const setFilter = (key: string, value: string) => {
    const next = new URLSearchParams(window.location.search);
    if (value) next.set(key, value);
    else next.delete(key);
    const s = next.toString();
    navigate(`/tasks${s ? `?${s}` : ""}`, { replace: true });
  };

  return (
    <div className="page">
      <div className="page-head">
        <h1>Tasks</h1>
        <Link href="/tasks/new" className="btn btn-primary">
          New task
        </Link>
      </div>
      <div className="filters" role="search">
        <input
          id="task-search"
          className="input search"
          type="search"
          placeholder="Search tasks  ( / )"
          aria-label="Search tasks"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Escape") (e.target as HTMLInputElement).blur();
          }}
        />
        <select
          className="input"
          aria-label="Filter by status"
          value={status}
          onChange={(e) => setFilter("status", e.target.value)}
        >
          <option value="">All statuses</option>
          {AttemptStatus.options.map((s) => (
            <option key={s} value={s}>
              {statusLabel(s)}
            </option>
          ))}
        </select>
        <select
          className="input"
          aria-label="Filter by repo"
          value={repo}
          onChange={(e) => setFilter("repo", e.target.value)}
        >
          <option value="">All repos</option>
          {repos?.map((r) => (
            <option key={r.id} value={r.name}>
              {r.name}
            </option>
          ))}
        </select>
      </div>
      {error && (
        <p className="alert alert-error" role="alert">
          {error}
        </p>
      )}
      {!loading && !error && tasks.length === 0 && (
        <div className="empty">
          {status || repo || q ? (
            <p>No task matches these filters.</p>
          ) : (
            <>
              <p>
                <strong>No tasks yet.</strong>
              </p>
              <p className="muted">
                {repos?.length === 0 ? (
                  <>Add a repo first, then describe what you want done.</>
                ) : (
                  <>Describe a change and an agent will make it in a sandbox.</>
                )}
              </p>
              <Link href={repos?.length === 0 ? "/repos" : "/tasks/new"} className="btn btn-primary">
                {repos?.length === 0 ? "Add a repo" : "New task"}
              </Link>
            </>
          )}
        </div>
      )}
      {tasks.length > 0 && (
        <div className="table-scroll">
          <table className="task-table" aria-label="Tasks">
            <thead>
              <tr>
                <th>Status</th>
                <th>Task</th>
                <th className="hide-sm">Repo</th>
                <th className="hide-sm">Branch</th>
                <th>Age</th>
                <th className="num hide-sm">Attempts</th>
                <th className="num">Cost</th>
              </tr>
            </thead>
            <tbody>
              {tasks.map((t, i) => (
                <tr
                  key={t.id}
                  data-task-id={t.id}
                  data-status={t.status}
                  className={i === cursor ? "kb-selected" : undefined}
                  aria-current={i === cursor ? "true" : undefined}
                  onClick={(e) => {
                    if ((e.target as HTMLElement).closest("a")) return;
                    navigate(`/tasks/${t.id}`);
                  }}
                >
                  <td>
                    <StatusBadge status={t.status} />
                  </td>
                  <td className="task-title-cell">
                    <Link href={`/tasks/${t.id}`} className="task-link">
                      {t.title}
                    </Link>
                    <ReviewPill review={t.review} />
                    {t.mode !== "code" && <span className="pill">{t.mode}</span>}
                  </td>
                  <td className="hide-sm">{t.repoName}</td>
                  <td className="hide-sm mono">{t.baseRef}</td>
                  <td title={`by ${t.createdBy}`}>
                    <RelativeTime iso={t.createdAt} suffix="" />
                  </td>
                  <td className="num hide-sm">{t.attemptCount}</td>
                  <td className="num">{formatCost(t.usage.costUsd)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {more && (
        <button className="btn" onClick={more} disabled={loading}>
          Load more
        </button>
      )}
    </div>
  );
}
