import {
  CadreError,
  changeRequestName,
  forgeNouns,
  type Attempt,
  type HunkSelection,
  type Repo,
  type TaskWithAttempts,
} from "@cadre/protocol";
import type { Principal } from "../principal.ts";
import type { ServerContext } from "../server-context.ts";
import { deliverChangeRequest } from "./deliver-change-request.ts";
import { forgeScope } from "./forge-scope.ts";

export interface ApprovePullRequest {
  task: TaskWithAttempts;
  attempt: Attempt & { headCommit: string };
  repo: Repo;
  principal: Principal;
  pullRequest: { draft: boolean; base?: string | undefined };
  selection?: HunkSelection | undefined;
}

/**
 * `cadre approve <task> --pr`: pushes the accepted change to `cadre/<slug>` and opens a pull
 * request on the repo's forge. The task keeps a link to it, so follow-ups push to the same branch
 * and the review follows the pull request's fate on the forge.
 */
export async function openPullRequest(ctx: ServerContext, input: ApprovePullRequest): Promise<TaskWithAttempts> {
  const { task, attempt, repo } = input;
  if (!repo.forge)
    throw new CadreError(
      "bad_request",
      `repo ${repo.name} is not on a forge, so there is nowhere to open a pull request: push the change as a new branch instead (with no name, Cadre names it cadre/…), or connect a forge and add the repo on it to open pull requests; nothing was pushed`,
      { repo: repo.name },
      `cadre approve ${task.id} --push-branch`,
    );
  if (task.review.delivery?.kind === "pull_request")
    throw new CadreError(
      "conflict",
      `task ${task.id} already has ${changeRequestName(forgeNouns(task.review.delivery.forgeKind), task.review.delivery.number)}: ${task.review.delivery.url}`,
    );
  const forge = await ctx.forges.record(repo.forge.name);
  let link = await ctx.store.forgeLinks.get(task.id);
  if (!link) {
    const record = await ctx.store.attempts.get(attempt.id);
    await ctx.store.db.transaction((tx) =>
      ctx.store.forgeLinks.create(tx, {
        taskId: task.id,
        attemptId: attempt.id,
        forgeId: forge.id,
        repoPath: repo.forge?.repoPath ?? "",
        purpose: "code",
        thread: null,
        changeRequest: null,
        ownChangeRequest: true,
        branch: null,
        pushAllowed: true,
        // what has happened so far is delivered here, now
        handledSeq: record?.lastSeq ?? 0,
      }),
    );
    link = await ctx.store.forgeLinks.get(task.id);
  }
  if (!link) throw new CadreError("internal", `task ${task.id} has no forge link`);
  await deliverChangeRequest(forgeScope(ctx, forge), {
    task,
    attempt,
    link,
    draft: input.pullRequest.draft,
    ...(input.pullRequest.base ? { base: input.pullRequest.base } : {}),
    ...(input.selection ? { selection: input.selection } : {}),
  });
  return (await ctx.store.tasks.get(task.id)) as TaskWithAttempts;
}
