import { LeaseLostError, type HeldAttempt } from "@cadre/protocol";
import type { ServerContext } from "../server-context.ts";
import type { RunnerPrincipal } from "./runner-principal.ts";

/**
 * The attempt, if the calling runner holds it. Anything else (another runner's attempt, one whose
 * lease was taken over, one that does not exist) is the same refusal, so a runner learns nothing
 * about attempts that are not its own.
 */
export async function requireHeld(
  ctx: ServerContext,
  runner: RunnerPrincipal,
  attemptId: string,
): Promise<HeldAttempt> {
  const attempt = await ctx.store.attempts.get(attemptId);
  if (!attempt || attempt.runnerId !== runner.runnerId) throw new LeaseLostError(attemptId);
  return attempt;
}
