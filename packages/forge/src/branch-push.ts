import type { ForgeEvent, ForgeUser } from "./forge-model.ts";

export interface PushedRef {
  repoPath: string;
  /** The full ref the push updated (`refs/heads/main`, `refs/tags/v1`). */
  ref: string;
  /** The ref's new commit; all zeros when the push deleted it. */
  after: string;
  /** Whether the forge said the push deleted the ref (GitHub does, beside the zero `after`). */
  deleted?: boolean;
  actor: ForgeUser;
}

/** A push as a forge event, whichever forge sent it: commits pushed to a branch; tags and deleted branches are no event. */
export function branchPushEvents(push: PushedRef): ForgeEvent[] {
  if (!push.ref.startsWith("refs/heads/") || push.deleted || /^0+$/.test(push.after)) return [];
  return [
    {
      kind: "push",
      repoPath: push.repoPath,
      branch: push.ref.slice("refs/heads/".length),
      commit: push.after,
      actor: push.actor,
    },
  ];
}
