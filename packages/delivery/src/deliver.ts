import { defaultBranch, rebaseCommit, treeOf, tryResolveCommit, type RemoteOptions } from "@cadre/git";
import { CadreError, type Attempt, type Delivery, type HunkSelection, type Task } from "@cadre/protocol";
import type { Store } from "@cadre/store";
import { deliveryContent, type DeliverySource } from "./delivery-content.ts";
import { deliveryIdentities } from "./delivery-identity.ts";
import { pushDelivery } from "./push-delivery.ts";
import { pushTarget } from "./push-target.ts";

export interface DeliverInput {
  store: Pick<Store, "users">;
  env: NodeJS.ProcessEnv;
  /** The repository's mirror, fetched just before. */
  gitDir: string;
  repo: { origin: string; defaultBranch: string };
  task: Task;
  attempt: Attempt & { headCommit: string };
  selection?: HunkSelection | undefined;
  branch: string;
  /** Credentials for the origin (a repo on a forge). */
  remote?: RemoteOptions;
}

export function deliverySource(task: Task, attempt: Attempt & { headCommit: string }): DeliverySource {
  return {
    taskId: task.id,
    title: task.title,
    base: attempt.baseCommit ?? task.baseCommit,
    head: attempt.headCommit,
    attemptIndex: attempt.index,
    summary: attempt.summary,
  };
}

async function contentFor(input: DeliverInput, parent?: string) {
  const identities = await deliveryIdentities(input.store, input.task.createdBy, input.env);
  const source = deliverySource(input.task, input.attempt);
  const content = await deliveryContent({
    gitDir: input.gitDir,
    source,
    selection: input.selection,
    identities,
    parent,
  });
  return { source, identities, content };
}

/**
 * Merges the change into a branch as one commit on top of the branch's head (replayed onto it
 * when the branch moved since the task started) and pushes it, expecting that head.
 */
export async function deliverMerge(input: DeliverInput): Promise<Delivery> {
  const { gitDir, branch, task } = input;
  const target = await tryResolveCommit(gitDir, `refs/heads/${branch}`);
  if (!target)
    throw new CadreError(
      "not_found",
      `branch '${branch}' does not exist in ${task.repoName}: push the change as a new branch named ${branch} instead`,
      { branch },
      `cadre approve ${task.id} --push-branch ${branch}`,
    );
  const { source, identities, content } = await contentFor(input);
  let commit = content.commit;
  if (target !== source.base) {
    const replayed = await rebaseCommit({
      gitDir,
      commit: content.commit,
      oldBase: source.base,
      newBase: target,
      message: content.message,
      author: identities.author,
      committer: identities.committer,
    });
    if (!replayed.clean || !replayed.commit)
      throw new CadreError(
        "conflict",
        `${branch} moved since the task started and the change no longer applies cleanly (conflicts in ${replayed.conflictPaths.join(", ")}); nothing was changed. Send a follow-up that resolves the conflicts, then approve again`,
        { conflictPaths: replayed.conflictPaths, moved: true },
        `cadre followup ${task.id} --resolve-conflicts`,
      );
    commit = replayed.commit;
  }
  if (commit === target || (await treeOf(gitDir, commit)) === (await treeOf(gitDir, target)))
    throw new CadreError("conflict", `${branch} already has this change: there is nothing to merge`);
  await pushDelivery({
    gitDir,
    origin: input.repo.origin,
    branch,
    commit,
    expect: target,
    taskId: task.id,
    remote: input.remote,
  });
  return {
    kind: "merge",
    branch,
    commit,
    attemptHead: source.head,
    ...(content.selected ? { selected: content.selected } : {}),
  };
}

/**
 * Pushes the change as a branch Cadre owns (see `pushTarget`): a new branch, or a new commit on
 * top of the one Cadre pushed there before for this task. Never forced.
 */
export async function deliverBranch(input: DeliverInput): Promise<Delivery> {
  const { gitDir, branch, task } = input;
  const originHead = await defaultBranch(gitDir);
  const target = await pushTarget({
    gitDir,
    branch,
    defaultBranches: [input.repo.defaultBranch, ...(originHead ? [originHead] : [])],
    taskId: task.id,
    delivery: task.review.delivery,
  });
  const previous = target.previous && (await tryResolveCommit(gitDir, target.previous));
  const { source, content } = await contentFor(input, previous ?? undefined);
  const unchanged = previous && (await treeOf(gitDir, previous)) === content.tree;
  const commit = unchanged ? previous : content.commit;
  if (!unchanged || target.expect === null)
    await pushDelivery({
      gitDir,
      origin: input.repo.origin,
      branch,
      commit,
      expect: target.expect,
      taskId: task.id,
      remote: input.remote,
    });
  return {
    kind: "push_branch",
    branch,
    commit,
    attemptHead: source.head,
    ...(content.selected ? { selected: content.selected } : {}),
  };
}
