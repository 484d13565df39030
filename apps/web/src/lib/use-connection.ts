import { useEffect, useState } from "react";
import { useApi } from "./api-context.tsx";

/**
 * Whether the server answers. The live streams reconnect on their own; while they cannot, the
 * page says so instead of silently showing stale data. `version` needs no token, so it is cheap.
 */
export function useConnection(): boolean {
  const { client, taskChanges } = useApi();
  const [down, setDown] = useState(false);
  useEffect(() => taskChanges.onReconnect(() => setDown(true)), [taskChanges]);
  useEffect(() => {
    if (!down) return;
    const t = setInterval(() => {
      client.call("version").then(
        () => setDown(false),
        () => undefined,
      );
    }, 2000);
    return () => clearInterval(t);
  }, [down, client]);
  return !down;
}
