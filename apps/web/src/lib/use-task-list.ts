import { useCallback, useEffect, useState } from "react";
import type { AttemptStatus, Task } from "@cadre/protocol";
import { useApi } from "./api-context.tsx";
import { errorMessage } from "./error-message.ts";

export interface TaskFilters {
  status: AttemptStatus | "";
  repo: string;
  q: string;
}

function matches(t: Task, f: TaskFilters): boolean {
  if (f.status && t.status !== f.status) return false;
  if (f.repo && t.repoName !== f.repo && t.repoId !== f.repo) return false;
  if (f.q) {
    const q = f.q.toLowerCase();
    if (!t.title.toLowerCase().includes(q) && !t.prompt.toLowerCase().includes(q) && !t.id.includes(q)) return false;
  }
  return true;
}

/** The task list for the filters, page by page, kept live from the task stream without reloading. */
export function useTaskList(filters: TaskFilters) {
  const { client, check, taskChanges } = useApi();
  const [tasks, setTasks] = useState<Task[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(
    async (after: string | null) => {
      setLoading(true);
      try {
        const page = await client.call("listTasks", {
          query: {
            limit: 100,
            ...(filters.status ? { status: filters.status } : {}),
            ...(filters.repo ? { repo: filters.repo } : {}),
            ...(filters.q ? { q: filters.q } : {}),
            ...(after ? { cursor: after } : {}),
          },
        });
        setTasks((prev) =>
          after ? [...prev, ...page.items.filter((t) => !prev.some((p) => p.id === t.id))] : page.items,
        );
        setCursor(page.nextCursor);
        setError(null);
      } catch (e) {
        check(e);
        setError(errorMessage(e));
      } finally {
        setLoading(false);
      }
    },
    [client, check, filters.status, filters.repo, filters.q],
  );

  useEffect(() => {
    void load(null);
  }, [load]);

  useEffect(
    () =>
      taskChanges.subscribe((t) => {
        setTasks((prev) => {
          const i = prev.findIndex((p) => p.id === t.id);
          const keep = matches(t, filters);
          if (i < 0) return keep ? [t, ...prev] : prev;
          const next = prev.slice();
          if (keep) next[i] = t;
          else next.splice(i, 1);
          return next;
        });
      }),
    [taskChanges, filters],
  );

  return { tasks, loading, error, more: cursor ? () => void load(cursor) : null, reload: () => void load(null) };
}
