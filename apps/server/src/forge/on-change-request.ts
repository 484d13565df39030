import type { ChangeRequest, ForgeUser } from "@cadre/forge";
import { changeRequestName } from "@cadre/protocol";
import { TaskQueries } from "@cadre/store";
import { ignore, type Decision } from "./decisions.ts";
import type { ForgeScope } from "./forge-scope.ts";
import { reviewDecision } from "./review-decision.ts";

export interface ChangeRequestEvent {
  action: "opened" | "updated" | "ready" | "closed" | "reopened";
  repoPath: string;
  changeRequest: ChangeRequest;
  actor: ForgeUser;
}

/** A change request Cadre delivered to was merged or closed on the forge: the task's review follows. */
async function closed(scope: ForgeScope, event: ChangeRequestEvent): Promise<Decision> {
  const number = event.changeRequest.number;
  const name = changeRequestName(scope.adapter.nouns, number);
  const link = await scope.ctx.store.forgeLinks.forChangeRequest(scope.forge.id, event.repoPath, number);
  if (!link) return ignore(`${name} is not Cadre's`);
  const task = await scope.ctx.store.tasks.get(link.taskId);
  if (!task || task.review.state !== "pending") return ignore(`task ${link.taskId} is already reviewed`);
  const merged = event.changeRequest.state === "merged";
  const delivery =
    task.review.delivery?.kind === "pull_request"
      ? { ...task.review.delivery, state: merged ? ("merged" as const) : ("closed" as const) }
      : null;
  return {
    kind: "write",
    outcome: `task ${task.id} ${merged ? "applied (merged)" : "rejected (closed)"}`,
    apply: async (tx) => {
      await new TaskQueries(tx).setReview(task.id, {
        state: merged ? "applied" : "rejected",
        attemptId: link.attemptId,
        delivery,
        by: event.actor.login,
        reason: merged ? null : `${name} was closed without merging`,
      });
    },
  };
}

/** Opened or pushed to: reviewed when the repo asks for automatic reviews (drafts only if it says so). */
export async function onChangeRequest(scope: ForgeScope, event: ChangeRequestEvent): Promise<Decision> {
  if (event.action === "closed") return closed(scope, event);
  const { changeRequest } = event;
  const name = changeRequestName(scope.adapter.nouns, changeRequest.number);
  const bot = (await scope.botLogin()).toLowerCase();
  if (changeRequest.author.login.toLowerCase() === bot || event.actor.login.toLowerCase() === bot)
    return ignore(`${name} is Cadre's own`);
  const repo = await scope.ctx.store.repos.byForgeRepo(scope.forge.id, event.repoPath);
  if (!repo?.forge?.settings.autoReview) return ignore("automatic reviews are off for this repo");
  if (changeRequest.draft && !repo.forge.settings.reviewDrafts) return ignore(`${name} is a draft`);
  return reviewDecision(scope, { repo, number: changeRequest.number, by: scope.forge.serviceUser });
}
