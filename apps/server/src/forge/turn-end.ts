import type { Attempt, TaskWithAttempts } from "@cadre/protocol";
import type { ForgeLink } from "@cadre/store";
import { deliverChangeRequest } from "./deliver-change-request.ts";
import { firstParagraph } from "./change-request-body.ts";
import { REVIEW_CHECK } from "./forge-jobs.ts";
import { tracked, type ForgeScope } from "./forge-scope.ts";
import { postReview } from "./post-review.ts";

async function say(scope: ForgeScope, link: ForgeLink, body: string): Promise<void> {
  const thread =
    link.thread ??
    (link.changeRequest !== null ? { kind: "change_request" as const, number: link.changeRequest } : null);
  if (thread) await tracked(scope, (client) => client.comment(link.repoPath, thread, body));
}

/** The question the attempt waits on, as the forge thread shows it. */
async function question(scope: ForgeScope, task: TaskWithAttempts, attempt: Attempt): Promise<string> {
  const events = await scope.ctx.store.events.all(attempt.id);
  const last = [...events].reverse().find((e) => e.type === "question");
  const asked =
    last?.type === "question" ? last.questions.map((q) => `> ${q.question}`).join("\n") : "> (see the task)";
  return `Cadre has a question before it goes on:\n\n${asked}\n\nAnswer here by mentioning @${scope.forge.botName}, or in Cadre: ${scope.ctx.forges.taskUrl(task.id)}`;
}

async function codeTurn(
  scope: ForgeScope,
  { task, attempt, link }: { task: TaskWithAttempts; attempt: Attempt; link: ForgeLink },
  status: string,
): Promise<void> {
  const url = scope.ctx.forges.taskUrl(task.id);
  if (status === "waiting_for_input") return say(scope, link, await question(scope, task, attempt));
  if (status !== "completed")
    return say(
      scope,
      link,
      `The task ${status === "cancelled" ? "was cancelled" : `failed${attempt.failureReason ? ` (${attempt.failureReason})` : ""}`}: ${attempt.failureMessage ?? "see the task"}. ${url}`,
    );
  const base = attempt.baseCommit ?? task.baseCommit;
  if (!attempt.headCommit || attempt.headCommit === base)
    return say(scope, link, `Done, without changing anything. ${firstParagraph(attempt.summary)}\n\n${url}`.trim());
  await deliverChangeRequest(scope, { task, attempt: { ...attempt, headCommit: attempt.headCommit }, link });
}

/**
 * An attempt ended a turn: a code task's change is delivered as a change request (or its question
 * or failure said on the thread); a review task's findings are posted as a review and a check.
 */
export async function onTurnEnd(
  scope: ForgeScope,
  payload: { taskId: string; turn: number; status: string },
): Promise<void> {
  const link = await scope.ctx.store.forgeLinks.get(payload.taskId);
  const task = await scope.ctx.store.tasks.get(payload.taskId);
  const attempt = task?.attempts.find((a) => a.id === link?.attemptId);
  if (!link || !task || !attempt) return;
  if (link.purpose === "code") return codeTurn(scope, { task, attempt, link }, payload.status);
  if (payload.status === "completed") return postReview(scope, task, link);
  if (payload.status === "waiting_for_input") return say(scope, link, await question(scope, task, attempt));
  await tracked(scope, (client) =>
    client.setCheck(link.repoPath, {
      ...(link.checkId ? { id: link.checkId } : {}),
      commit: task.baseCommit,
      name: REVIEW_CHECK,
      state: "neutral",
      title: "the review did not finish",
      summary: `${attempt.failureMessage ?? payload.status}: see ${scope.ctx.forges.taskUrl(task.id)}`,
      detailsUrl: scope.ctx.forges.taskUrl(task.id),
    }),
  );
}
