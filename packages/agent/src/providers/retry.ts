import { ModelError } from "../model-client.ts";
import type { ModelStreamEvent } from "../model-client.ts";
import type { ClassifiedError } from "./errors.ts";

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export interface RetryOptions {
  maxRetries: number;
  classify: (err: unknown) => ClassifiedError;
  signal?: AbortSignal;
  /** Injected by tests to observe waits without waiting. */
  sleep?: Sleep;
  /** Source of jitter in [0, 1). */
  random?: () => number;
  /** Told about each retry before its wait (for logs and tests). */
  onRetry?: (info: { attempt: number; delayMs: number; error: ModelError }) => void;
}

const BASE_DELAY_MS = 500;
const MAX_BACKOFF_MS = 30_000;

export const defaultSleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new ModelError("cancelled", "the model request was cancelled"));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new ModelError("cancelled", "the model request was cancelled"));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });

/** Exponential backoff with ±25% jitter; a server's Retry-After wins when it is given. */
export function retryDelayMs(attempt: number, retryAfterMs: number | null, random: () => number = Math.random): number {
  if (retryAfterMs !== null) return retryAfterMs;
  const backoff = Math.min(BASE_DELAY_MS * 2 ** attempt, MAX_BACKOFF_MS);
  return Math.round(backoff * (0.75 + random() * 0.5));
}

/**
 * Runs `attempt` and retries transient failures, but only while nothing has been yielded:
 * once the caller has seen part of a reply, replaying it would duplicate output.
 */
export async function* withRetry(
  attempt: () => AsyncIterable<ModelStreamEvent>,
  opts: RetryOptions,
): AsyncGenerator<ModelStreamEvent> {
  const sleep = opts.sleep ?? defaultSleep;
  for (let n = 0; ; n++) {
    let yielded = false;
    try {
      if (opts.signal?.aborted) throw new ModelError("cancelled", "the model request was cancelled");
      for await (const event of attempt()) {
        yielded = true;
        yield event;
      }
      return;
    } catch (err) {
      const { error, retryable } = opts.classify(err);
      if (yielded || !retryable || n >= opts.maxRetries || opts.signal?.aborted) {
        throw opts.signal?.aborted ? new ModelError("cancelled", "the model request was cancelled") : error;
      }
      const delayMs = retryDelayMs(n, error.retryAfterMs, opts.random);
      opts.onRetry?.({ attempt: n + 1, delayMs, error });
      await sleep(delayMs, opts.signal);
    }
  }
}
