import { useCallback, useState } from "react";
import { useApi } from "./api-context.tsx";
import { errorMessage } from "./error-message.ts";

/**
 * The state of a form's action: `run` marks it busy, clears the last error, and on failure shows
 * the server's message (a refused token goes back to sign-in).
 */
export function useAction(): {
  busy: boolean;
  error: string | null;
  setError: (e: string | null) => void;
  run: (fn: () => Promise<void>) => Promise<void>;
} {
  const { check } = useApi();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = useCallback(
    async (fn: () => Promise<void>) => {
      setBusy(true);
      setError(null);
      try {
        await fn();
      } catch (e) {
        check(e);
        setError(errorMessage(e));
      } finally {
        setBusy(false);
      }
    },
    [check],
  );
  return { busy, error, setError, run };
}
