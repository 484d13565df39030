import { rebaseCommit, type RemoteOptions } from "@cadre/git";
import { CadreError, type Delivery, type Task } from "@cadre/protocol";
import type { Store } from "@cadre/store";
import { deliveryMessage } from "./commit-message.ts";
import { deliveryIdentities } from "./delivery-identity.ts";
import { pushDelivery } from "./push-delivery.ts";

/** A delivery that follow-ups add commits to: a pushed branch, or the branch of a pull request. */
type BranchDelivery = Extract<Delivery, { kind: "push_branch" | "pull_request" }>;

export interface FollowUpInput {
  store: Pick<Store, "users">;
  env: NodeJS.ProcessEnv;
  gitDir: string;
  origin: string;
  task: Task;
  /** The task's push_branch delivery. */
  delivery: BranchDelivery;
  /** The attempt's checkpoint after the follow-up. */
  head: string;
  /** What the follow-up asked for: the new commit's subject. */
  instruction: string | null;
  summary: string | null;
  /** Credentials for the origin (a repo on a forge). */
  remote?: RemoteOptions;
}

/**
 * A follow-up of a change delivered as a branch: one new commit on top of the delivered one,
 * holding what the follow-up changed (the attempt's checkpoints since the delivery, replayed),
 * so hunks the reviewer left out stay out. Pushed expecting the delivered commit, never forced.
 * Returns the updated delivery, or null when the follow-up changed nothing.
 */
export async function deliverFollowUp<D extends BranchDelivery>(
  input: FollowUpInput & { delivery: D },
): Promise<D | null> {
  const { gitDir, delivery } = input;
  // Deliveries made before squashing pushed the checkpoint itself.
  const deliveredFrom = delivery.attemptHead ?? delivery.commit;
  if (deliveredFrom === input.head) return null;
  const identities = await deliveryIdentities(input.store, input.task.createdBy, input.env);
  const title = input.instruction?.trim() ? input.instruction : `${input.task.title} (follow-up)`;
  const replayed = await rebaseCommit({
    gitDir,
    commit: input.head,
    oldBase: deliveredFrom,
    newBase: delivery.commit,
    message: deliveryMessage({ title, summary: input.summary, taskId: input.task.id }),
    author: identities.author,
    committer: identities.committer,
  });
  if (!replayed.clean || !replayed.commit)
    throw new CadreError(
      "conflict",
      `the follow-up touches what was left out of ${delivery.branch} (${replayed.conflictPaths.join(", ")}): approve the task again, pushing ${delivery.branch} with the hunks chosen anew`,
      { conflictPaths: replayed.conflictPaths },
      `cadre approve ${input.task.id} --push-branch ${delivery.branch} --interactive`,
    );
  if (replayed.commit === delivery.commit) return { ...delivery, attemptHead: input.head };
  // The same follow-up pushed before a crash kept it from being recorded is the origin's commit.
  const pushed = await pushDelivery({
    gitDir,
    origin: input.origin,
    branch: delivery.branch,
    commit: replayed.commit,
    expect: delivery.commit,
    taskId: input.task.id,
    remote: input.remote,
  });
  return { ...delivery, commit: pushed, attemptHead: input.head };
}
