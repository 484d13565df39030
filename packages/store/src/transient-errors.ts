/** Errors that mean the PostgreSQL server was unreachable or restarting, not that the query was wrong. */
const CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "57P01",
  "57P02",
  "57P03",
  "08000",
  "08001",
  "08003",
  "08004",
  "08006",
]);

export function isTransient(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  if (typeof code === "string" && CODES.has(code)) return true;
  const message = e instanceof Error ? e.message : "";
  return /Connection terminated|connection timeout|terminating connection|the database system is (starting up|shutting down)|Client has encountered a connection error/i.test(
    message,
  );
}

/** How long a query keeps retrying while the server is away (a restart takes seconds). */
export const RETRY_FOR_MS = 30_000;

/**
 * Runs `fn` again while it fails with a transient error, for up to RETRY_FOR_MS. Only for work that
 * is safe to repeat: callers pass what cannot have taken effect (a connection not yet made, a
 * transaction that never reached COMMIT).
 */
export async function retryTransient<T>(
  fn: () => Promise<T>,
  retryable: (e: unknown) => boolean = isTransient,
): Promise<T> {
  const deadline = Date.now() + RETRY_FOR_MS;
  for (let delay = 100; ; delay = Math.min(delay * 2, 2000)) {
    try {
      return await fn();
    } catch (e) {
      if (!retryable(e) || Date.now() + delay > deadline) throw e;
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
