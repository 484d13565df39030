import { checkedOutBranch, pushRefs, queuedPush, updateRef, type RemoteOptions } from "@cadre/git";
import { CadreError } from "@cadre/protocol";

export interface PushDeliveryInput {
  gitDir: string;
  origin: string;
  branch: string;
  commit: string;
  /** The origin branch's commit the delivery was made against (null: the branch must not exist). */
  expect: string | null;
  taskId: string;
  remote?: RemoteOptions;
}

function checkedOutRefusal(input: PushDeliveryInput, workTree: string, changed: string[]): CadreError {
  const shown = changed.slice(0, 5).join(", ") + (changed.length > 5 ? `, … (${changed.length} files)` : "");
  return new CadreError(
    "conflict",
    `${input.branch} is checked out in ${workTree} and has uncommitted changes there (${shown}), so Cadre cannot update it. Commit or stash them and approve again; or push the change as a branch instead; or pull it into that checkout (cd ${workTree} && cadre apply ${input.taskId}). Nothing was pushed`,
    { workTree, changed },
    `cadre approve ${input.taskId} --push-branch`,
  );
}

/**
 * Pushes a delivered commit to a branch of the origin as a compare-and-swap on `expect`, then
 * moves the mirror's branch; returns the commit the branch now holds. That is `commit`, or the
 * origin's own when it already held the same change (committed again, see `sameChange`: as after a
 * crash between a push and its record). Deliveries to one origin ready at once share one
 * `git push` (see `queuedPush`). When the origin is a working checkout on this machine with that
 * branch checked out, its work tree is updated with the branch if it is clean (git's
 * `updateInstead`); with uncommitted changes there, nothing is pushed and the error says what
 * to do instead.
 */
export async function pushDelivery(input: PushDeliveryInput): Promise<string> {
  const checkedOut = await checkedOutBranch(input.origin, input.branch);
  if (checkedOut && checkedOut.changed.length > 0)
    throw checkedOutRefusal(input, checkedOut.workTree, checkedOut.changed);
  const spec = { src: input.commit, dst: `refs/heads/${input.branch}`, expect: input.expect };
  const pushed = checkedOut
    ? (await pushRefs(input.gitDir, input.origin, [spec], { ...input.remote, updateCheckedOut: true }))[0]
    : await queuedPush(input.gitDir, input.origin, spec, input.remote);
  const commit = pushed?.commit ?? input.commit;
  await updateRef(input.gitDir, `refs/heads/${input.branch}`, commit);
  return commit;
}
