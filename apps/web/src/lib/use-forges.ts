import { useCallback, useEffect, useState } from "react";
import type { Forge } from "@cadre/protocol";
import { useApi } from "./api-context.tsx";
import { errorMessage } from "./error-message.ts";

/** The connected forges (GitHub…), with how Cadre's credentials fare on each. */
export function useForges() {
  const { client, check } = useApi();
  const [forges, setForges] = useState<Forge[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(() => {
    client.call("listForges").then(
      (p) => setForges(p.items),
      (e: unknown) => {
        check(e);
        setError(errorMessage(e));
      },
    );
  }, [client, check]);
  useEffect(reload, [reload]);
  return { forges, error, reload };
}
