import { useCallback, useEffect, useRef, useState } from "react";
import type { TaskWithAttempts } from "@cadre/protocol";
import { useApi } from "./api-context.tsx";
import { errorMessage } from "./error-message.ts";

/** A task with its attempts, refreshed whenever the task stream reports a change to it. */
export function useTask(id: string): {
  task: TaskWithAttempts | null;
  error: string | null;
  refresh: () => void;
  setTask: (t: TaskWithAttempts) => void;
} {
  const { client, check, taskChanges } = useApi();
  const [task, setTask] = useState<TaskWithAttempts | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  // A busy attempt changes its task many times a second (usage, status): refetch at most every 250 ms.
  const refresh = useCallback(() => {
    if (timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      setTick((t) => t + 1);
    }, 250);
  }, []);
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );

  useEffect(() => {
    let live = true;
    client.call("getTask", { params: { id } }).then(
      (t) => {
        if (!live) return;
        setTask(t);
        setError(null);
      },
      (e: unknown) => {
        if (!live) return;
        check(e);
        setError(errorMessage(e));
      },
    );
    return () => {
      live = false;
    };
  }, [client, check, id, tick]);

  useEffect(
    () =>
      taskChanges.subscribe((t) => {
        if (t.id === id) refresh();
      }),
    [taskChanges, id, refresh],
  );

  useEffect(() => setTask(null), [id]);
  return { task, error, refresh, setTask };
}
