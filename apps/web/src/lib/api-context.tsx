import { InvariantError } from "@cadre/protocol";
import { createContext, useContext, useMemo, type ReactNode } from "react";
import { CadreClient } from "@cadre/client";
import { isUnauthorized } from "./error-message.ts";
import { TaskChanges } from "./task-changes.ts";

interface Api {
  client: CadreClient;
  /** Call when the server refused the token: the app returns to the sign-in screen with `message`. */
  signOut: (message?: string) => void;
  /** Reports an error from a call; a refused token signs out, anything else is returned for display. */
  check: (e: unknown) => void;
  taskChanges: TaskChanges;
}

const ApiContext = createContext<Api | null>(null);

export function ApiProvider({
  token,
  onSignOut,
  children,
}: {
  token: string;
  onSignOut: (message?: string) => void;
  children: ReactNode;
}) {
  const api = useMemo<Api>(() => {
    const client = new CadreClient({ baseUrl: window.location.origin, token });
    const check = (e: unknown) => {
      if (isUnauthorized(e)) onSignOut((e as Error).message);
    };
    return { client, signOut: onSignOut, check, taskChanges: new TaskChanges(client, check) };
  }, [token, onSignOut]);
  return <ApiContext.Provider value={api}>{children}</ApiContext.Provider>;
}

export function useApi(): Api {
  const api = useContext(ApiContext);
  if (!api) throw new InvariantError("useApi outside ApiProvider");
  return api;
}
