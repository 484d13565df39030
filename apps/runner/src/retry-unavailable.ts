import { CadreError } from "@cadre/protocol";

export interface RetryPolicy {
  /** Give up after this long: the caller then hands the attempt back (the lease would expire anyway). */
  forMs: number;
  firstDelayMs: number;
  maxDelayMs: number;
}

export interface RetryOptions {
  /** Whether a failure means the server is away (so repeating may succeed). */
  isTransient: (error: unknown) => boolean;
  policy?: RetryPolicy | undefined;
  signal?: AbortSignal | undefined;
}

export const DEFAULT_RETRY: RetryPolicy = { forMs: 60_000, firstDelayMs: 250, maxDelayMs: 4000 };

/**
 * Repeats `work` while `isTransient` says the server is away (restarting, unreachable, its database
 * restarting), with growing waits. Only for work that is safe to repeat. Past the policy's time it
 * throws `unavailable`, naming what it was doing.
 */
export async function retryUnavailable<T>(
  what: string,
  work: () => Promise<T>,
  { isTransient, policy = DEFAULT_RETRY, signal }: RetryOptions,
): Promise<T> {
  const deadline = Date.now() + policy.forMs;
  let delay = policy.firstDelayMs;
  for (;;) {
    try {
      return await work();
    } catch (error) {
      if (!isTransient(error) || signal?.aborted) throw error;
      if (Date.now() + delay > deadline)
        throw new CadreError(
          "unavailable",
          `${what}: the server stayed unreachable for ${Math.round(policy.forMs / 1000)} s (${(error as Error).message})`,
        );
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, policy.maxDelayMs);
    }
  }
}
