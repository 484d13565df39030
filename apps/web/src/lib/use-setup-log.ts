import { useEffect, useState } from "react";
import { useApi } from "./api-context.tsx";

export interface SetupLog {
  taskId: string;
  taskTitle: string;
  at: string;
  output: string;
  status: string;
}

/** The setup output of the environment's most recent run, with the task and attempt it ran for. */
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
        const last = await client.call("environmentSetupLog", { params: { id: environmentId } });
        if (!last.taskId || !last.attemptId) return;
        const task = await client.call("getTask", { params: { id: last.taskId } });
        const attempt = task.attempts.find((a) => a.id === last.attemptId);
        if (live)
          setLog({
            taskId: task.id,
            taskTitle: task.title,
            at: last.at ?? task.createdAt,
            output: last.log,
            status: attempt?.status ?? task.status,
          });
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
