import { deliverFollowUp } from "@cadre/delivery";
import type { z } from "zod";
import type { Notice } from "@cadre/protocol";
import { mirrorPath } from "../cadre-home.ts";
import type { ServerContext } from "../server-context.ts";

/**
 * A change delivered as a pushed branch follows its follow-ups: each finished turn lands as one
 * more commit on top of the delivered one (see `deliverFollowUp`), never forced. The server does
 * it (runners hold no origin credentials) once the runner has pushed the turn's checkpoint.
 */
export async function pushFollowUp(
  ctx: ServerContext,
  attemptId: string,
  commit: string,
): Promise<z.infer<typeof Notice> | null> {
  const attempt = await ctx.store.attempts.get(attemptId);
  const task = attempt ? await ctx.store.tasks.get(attempt.taskId) : null;
  const delivered = task?.review.delivery;
  if (!attempt || !task || delivered?.kind !== "push_branch" || task.review.attemptId !== attemptId) return null;
  if (delivered.commit === commit) return null;
  const repo = await ctx.store.repos.find(task.repoId);
  if (!repo) return null;
  try {
    const turns = await ctx.store.attempts.turns(attemptId);
    const last = turns.at(-1);
    const delivery = await deliverFollowUp({
      store: ctx.store,
      env: ctx.env,
      gitDir: mirrorPath(ctx.home, task.repoId),
      origin: repo.origin,
      task,
      delivery: delivered,
      head: commit,
      instruction: last?.kind === "followup" ? last.prompt : null,
      summary: attempt.summary,
      remote: await ctx.forges.remoteOptions(repo),
    });
    if (!delivery) return null;
    await ctx.store.tasks.setReview(task.id, {
      state: "applied",
      attemptId,
      delivery,
      by: task.review.by ?? "cadre",
      reason: null,
    });
    return delivery.commit !== delivered.commit
      ? { level: "info", message: `pushed the follow-up to ${delivered.branch}` }
      : null;
  } catch (error) {
    return {
      level: "warning",
      message: `could not push the follow-up to ${delivered.branch}: ${(error as Error).message}`,
    };
  }
}
