import { ForgeError } from "@cadre/forge";
import type { JobRecord } from "@cadre/store";
import type { ServerContext } from "../server-context.ts";

/**
 * A forge job of a task failed because the forge refused Cadre (a revoked token, a missing
 * permission): the task's activity says so, with what to do, besides the forge's page.
 */
export async function noteOnTask(ctx: ServerContext, job: JobRecord, error: unknown): Promise<void> {
  if (!(error instanceof ForgeError) || (error.problem !== "credentials" && error.problem !== "permission")) return;
  const taskId = (job.payload as { taskId?: unknown } | null)?.taskId;
  if (typeof taskId !== "string") return;
  const link = await ctx.store.forgeLinks.get(taskId);
  const attempt = link ? await ctx.store.attempts.get(link.attemptId) : null;
  if (!attempt) return;
  // Written by the server, outside any run: the notice goes after the attempt's last event.
  await ctx.store.events.append(
    attempt.id,
    attempt.turnCount,
    [{ type: "notice", level: "error", message: error.message }],
    { runnerId: null },
  );
}
