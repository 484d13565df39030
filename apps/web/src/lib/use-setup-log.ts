import { useEffect, useState } from "react";
import { useApi } from "./api-context.tsx";
import { fetchEventPage } from "./event-feed.ts";

export interface SetupLog {
  taskId: string;
  taskTitle: string;
  at: string;
  output: string;
  status: string;
}

/**
 * The setup output of the environment's most recent run. There is no route for it, so it is read
 * from the newest recent task using the environment (its first attempt's setup_output events).
 */
export function useSetupLog(environmentId: string | null): { log: SetupLog | null; loading: boolean } {
  const { client } = useApi();
  const [log, setLog] = useState<SetupLog | null>(null);
  const [loading, setLoading] = useState(true);
  useEffect(() => {
    if (!environmentId) {
      setLoading(false);
      return;
    }
    let live = true;
    void (async () => {
      try {
        const page = await client.call("listTasks", { query: { limit: 200 } });
        const task = page.items.find((t) => t.environmentId === environmentId);
        if (!task) return;
        const full = await client.call("getTask", { params: { id: task.id } });
        const attempt = full.attempts[0];
        if (!attempt) return;
        let output = "";
        let after = 0;
        for (let pages = 0; pages < 5; pages++) {
          const p = await fetchEventPage(client, attempt.id, after, 1000);
          for (const e of p.items) if (e.type === "setup_output") output += e.chunk;
          // Setup comes first: once the agent has started there is no more of it.
          if (p.seen < 1000 || p.items.some((e) => e.type === "turn_started")) break;
          after = p.maxSeq;
        }
        if (live) setLog({ taskId: task.id, taskTitle: task.title, at: task.createdAt, output, status: attempt.status });
      } catch {
        // The log is a convenience; the environment form works without it.
      } finally {
        if (live) setLoading(false);
      }
    })();
    return () => {
      live = false;
    };
  }, [client, environmentId]);
  return { log, loading };
}
