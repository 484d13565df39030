import { useCallback, useEffect, useState } from "react";
import type { Environment, Repo } from "@cadre/protocol";
import { useApi } from "./api-context.tsx";
import { errorMessage } from "./error-message.ts";

/** Repos and environments, for pickers and their own pages. */
export function useRepos() {
  const { client, check } = useApi();
  const [repos, setRepos] = useState<Repo[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(() => {
    client.call("listRepos").then(
      (p) => setRepos(p.items),
      (e: unknown) => {
        check(e);
        setError(errorMessage(e));
      },
    );
  }, [client, check]);
  useEffect(reload, [reload]);
  return { repos, error, reload };
}

export function useEnvironments() {
  const { client, check } = useApi();
  const [environments, setEnvironments] = useState<Environment[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(() => {
    client.call("listEnvironments").then(
      (p) => setEnvironments(p.items),
      (e: unknown) => {
        check(e);
        setError(errorMessage(e));
      },
    );
  }, [client, check]);
  useEffect(reload, [reload]);
  return { environments, error, reload };
}
