import { setTimeout as sleep } from "node:timers/promises";
import { CadreError } from "@cadre/protocol";

/** git's words when another process holds a lock file it needs (index, HEAD, a ref). */
const LOCK_HELD = /Unable to create '([^']+\.lock)': File exists|cannot lock ref '[^']+': .*?'([^']+\.lock)'/;

/** The lock file another git process holds, if `text` (git's stderr or an error message) says so. */
export function heldLockIn(text: string): string | null {
  const match = LOCK_HELD.exec(text);
  return match ? (match[1] ?? match[2] ?? "a lock file") : null;
}

export interface LockRetryOptions {
  /** Tries in all, the first included. */
  tries?: number;
  /** Wait before the second try; doubled for each later one, with jitter. */
  firstDelayMs?: number;
}

/**
 * Runs `operation` again when it failed only because another git process (another server instance
 * sharing the mirrors, or a runner) held one of the repository's lock files for a moment. After the
 * last try the error says which lock is held and what to do if no git process holds it.
 */
export async function retryOnHeldLock<T>(operation: () => Promise<T>, options: LockRetryOptions = {}): Promise<T> {
  const tries = options.tries ?? 8;
  const firstDelayMs = options.firstDelayMs ?? 25;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      const lock = error instanceof Error ? heldLockIn(error.message) : null;
      if (!lock) throw error;
      if (attempt >= tries)
        throw new CadreError(
          "unavailable",
          `another git process kept ${lock} locked through ${tries} tries: try again; if no git process is running on that repository, remove the lock file`,
          { lock },
        );
      const delay = firstDelayMs * 2 ** (attempt - 1);
      await sleep(delay / 2 + Math.random() * delay);
    }
  }
}
