import { defaultBranch, rebaseCommit, sameChange, treeOf, tryResolveCommit, type RemoteOptions } from "@cadre/git";
import { CadreError, type Attempt, type Delivery, type HunkSelection, type Task } from "@cadre/protocol";
import type { Store } from "@cadre/store";
import { deliveryContent, type DeliverySource } from "./delivery-content.ts";
import { deliveryIdentities } from "./delivery-identity.ts";
import { pushDelivery } from "./push-delivery.ts";
import { pushTarget, type PushTarget } from "./push-target.ts";

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
  const merged = await pushDelivery({
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
    commit: merged,
    attemptHead: source.head,
    ...(content.selected ? { selected: content.selected } : {}),
  };
}

/**
 * The branch already holds this change as Cadre makes it (on the task's base, see `sameChange`): it
 * was pushed for this task before a crash kept Cadre from recording so. That commit is the delivery.
 */
async function pushedBefore(input: DeliverInput): Promise<Delivery | null> {
  const current = await tryResolveCommit(input.gitDir, `refs/heads/${input.branch}`);
  if (!current) return null;
  const { source, content } = await contentFor(input);
  if (!(await sameChange(input.gitDir, current, content.commit))) return null;
  return {
    kind: "push_branch",
    branch: input.branch,
    commit: current,
    attemptHead: source.head,
    ...(content.selected ? { selected: content.selected } : {}),
  };
}

async function branchTarget(input: DeliverInput): Promise<PushTarget | Delivery> {
  const originHead = await defaultBranch(input.gitDir);
  try {
    return await pushTarget({
      gitDir: input.gitDir,
      branch: input.branch,
      defaultBranches: [input.repo.defaultBranch, ...(originHead ? [originHead] : [])],
      taskId: input.task.id,
      delivery: input.task.review.delivery,
    });
  } catch (error) {
    const landed = error instanceof CadreError && error.code === "conflict" ? await pushedBefore(input) : null;
    if (landed) return landed;
    throw error;
  }
}

/**
 * Pushes the change as a branch Cadre owns (see `pushTarget`): a new branch, or a new commit on
 * top of the one Cadre pushed there before for this task. Never forced. A branch that already
 * holds exactly this change (pushed before a crash kept it from being recorded) is taken as is.
 */
export async function deliverBranch(input: DeliverInput): Promise<Delivery> {
  const { gitDir, branch, task } = input;
  const target = await branchTarget(input);
  if ("kind" in target) return target;
  const previous = target.previous && (await tryResolveCommit(gitDir, target.previous));
  const { source, content } = await contentFor(input, previous ?? undefined);
  const unchanged = previous && (await treeOf(gitDir, previous)) === content.tree;
  let commit = unchanged ? previous : content.commit;
  if (!unchanged || target.expect === null)
    commit = await pushDelivery({
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
