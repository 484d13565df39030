import type { CheckResult } from "@cadre/forge";
import { changeRequestName } from "@cadre/protocol";
import { ForgeLinkQueries, ForgeWorkQueries, type ForgeLink } from "@cadre/store";
import { ignore, queueJobs, type Decision } from "./decisions.ts";
import { job, REVIEW_CHECK } from "./forge-jobs.ts";
import { checkFollowupText } from "./forge-prompt.ts";
import { tracked, type ForgeScope } from "./forge-scope.ts";
import { continueTask } from "./on-comment.ts";

/** Automatic follow-ups per change request: after these, a failing check is only reported. */
export const MAX_AUTO_FOLLOWUPS = 2;

export interface CheckEvent {
  repoPath: string;
  check: CheckResult;
}

/** The code task whose change request has this check on its head: Cadre's own, at the commit it pushed. */
async function linkFor(scope: ForgeScope, event: CheckEvent): Promise<ForgeLink | null> {
  const links = scope.ctx.store.forgeLinks;
  for (const number of event.check.changeRequests) {
    const link = await links.forChangeRequest(scope.forge.id, event.repoPath, number);
    if (link) return link;
  }
  return links.byDeliveredCommit(scope.forge.id, event.repoPath, event.check.commit);
}

/**
 * A failed check on the head of a change request Cadre opened starts a follow-up with the check's
 * output and the end of its log: at most MAX_AUTO_FOLLOWUPS per change request, said so on it.
 */
export async function onCheck(scope: ForgeScope, event: CheckEvent): Promise<Decision> {
  const { check } = event;
  if (!check.failed) return ignore(`check ${check.name} ${check.conclusion}`);
  if (check.name === REVIEW_CHECK) return ignore("Cadre's own review check");
  const repo = await scope.ctx.store.repos.byForgeRepo(scope.forge.id, event.repoPath);
  if (!repo?.forge?.settings.ciFeedback) return ignore("CI feedback is off for this repo");
  const link = await linkFor(scope, event);
  const { nouns } = scope.adapter;
  if (!link?.ownChangeRequest || link.changeRequest === null)
    return ignore(`${check.commit.slice(0, 12)} is not the head of a ${nouns.changeRequest} Cadre opened`);
  if (link.deliveredCommit !== check.commit)
    return ignore(
      `${check.commit.slice(0, 12)} is no longer the head of ${changeRequestName(nouns, link.changeRequest)}`,
    );
  const log = await tracked(scope, (client) => client.checkLog(event.repoPath, check)).catch(() => null);
  const thread = { kind: "change_request" as const, number: link.changeRequest };
  const note = (body: string) =>
    job(scope.forge.id, `ci-note:${link.taskId}:${check.commit}:${check.name}`, "note", {
      repoPath: event.repoPath,
      thread,
      body,
    });
  return {
    kind: "write",
    outcome: `check ${check.name} failed on task ${link.taskId}`,
    apply: async (tx) => {
      if (
        !(await new ForgeWorkQueries(tx).answerCheckFailure(tx, {
          taskId: link.taskId,
          commit: check.commit,
          name: check.name,
        }))
      )
        return `check ${check.name} at ${check.commit.slice(0, 12)} was already answered`;
      if (!(await new ForgeLinkQueries(tx).takeAutoFollowup(tx, link.taskId, MAX_AUTO_FOLLOWUPS))) {
        await queueJobs(tx, [
          note(
            `The check **${check.name}** failed again. Cadre has made its ${MAX_AUTO_FOLLOWUPS} automatic follow-ups on this ${nouns.changeRequest} and stops here: mention @${scope.forge.botName} with what to do next.`,
          ),
        ]);
        return `check ${check.name} failed; no automatic follow-up left (${MAX_AUTO_FOLLOWUPS} made)`;
      }
      const round = link.autoFollowups + 1;
      await continueTask(
        tx,
        link.attemptId,
        checkFollowupText({ check, log, round, max: MAX_AUTO_FOLLOWUPS, nouns }),
        scope.forge.serviceUser,
      );
      await queueJobs(tx, [
        note(
          `The check **${check.name}** failed. Cadre is looking into it (automatic follow-up ${round} of ${MAX_AUTO_FOLLOWUPS}).`,
        ),
      ]);
      return `follow-up ${round} of ${MAX_AUTO_FOLLOWUPS} for check ${check.name} on task ${link.taskId}`;
    },
  };
}
