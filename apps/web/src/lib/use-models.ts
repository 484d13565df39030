import { useEffect, useState } from "react";
import type { ModelList } from "@cadre/protocol";
import { useApi } from "./api-context.tsx";
import { errorMessage } from "./error-message.ts";

/** The models the server can run tasks on, the default marked, then those the providers offer. */
export function useModels(): { models: ModelList | null; error: string | null } {
  const { client, check } = useApi();
  const [models, setModels] = useState<ModelList | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    client.call("listModels", { query: { discover: "true" } }).then(setModels, (e: unknown) => {
      check(e);
      setError(errorMessage(e));
    });
  }, [client, check]);
  return { models, error };
}
