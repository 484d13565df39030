import { tryResolveCommit } from "@cadre/git";
import { CadreError, type Delivery } from "@cadre/protocol";

export interface PushTargetInput {
  /** The repository's mirror, fetched just before: its branches are the origin's. */
  gitDir: string;
  branch: string;
  /** The repository's default branch as recorded and as the origin's HEAD says (they may differ). */
  defaultBranches: string[];
  taskId: string;
  /** The task's current delivery, if any. */
  delivery: Delivery | null;
}

export interface PushTarget {
  /** What the origin's branch must still be when pushing (null: it must not exist). */
  expect: string | null;
  /** The commit Cadre delivered there before for this task: the new one goes on top of it. */
  previous: string | null;
}

/**
 * Where a task may push its own branch. Cadre writes only to a branch it creates for the task
 * or one it pushed for this task and nobody has pushed to since; it never force-pushes, never
 * the repository's default branch, never over commits it did not make. The returned `expect`
 * makes the push a compare-and-swap, so a branch that moves meanwhile is refused too.
 */
export async function pushTarget(input: PushTargetInput): Promise<PushTarget> {
  const { branch } = input;
  if (input.defaultBranches.includes(branch))
    throw new CadreError(
      "forbidden",
      `${branch} is the repository's default branch: Cadre pushes only branches of its own. Merge the change into ${branch} instead, or push it as a new branch (with no name, Cadre names it cadre/…); nothing was pushed`,
      { branch },
      `cadre approve ${input.taskId} --merge ${branch}`,
    );
  const current = await tryResolveCommit(input.gitDir, `refs/heads/${branch}`);
  const delivered = input.delivery;
  const own =
    (delivered?.kind === "push_branch" || delivered?.kind === "pull_request") && delivered.branch === branch
      ? delivered.commit
      : null;
  if (current === null) return { expect: null, previous: own };
  if (own !== null && current === own) return { expect: own, previous: own };
  throw new CadreError(
    "conflict",
    own !== null
      ? `branch ${branch} has commits Cadre did not make since it was pushed for task ${input.taskId}: Cadre will not push over them. Pull them into the task with a follow-up, or push to a new branch; nothing was pushed`
      : `branch ${branch} already exists on the origin and Cadre did not create it for task ${input.taskId}: choose a new branch name (with no name, Cadre names it cadre/…), or merge the change into ${branch} instead; nothing was pushed`,
    { branch },
    own !== null ? `cadre approve ${input.taskId} --push-branch` : `cadre approve ${input.taskId} --merge ${branch}`,
  );
}
