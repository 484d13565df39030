import type { ForgeEvent } from "@cadre/forge";

/**
 * The forge object an event is about, as one key whichever way it arrived: a webhook, a second
 * hook on the same repository, or polling. Work from a comment or a finished check is done once per
 * object (see ForgeWorkQueries.claimObject); events without one (a push, a change request opened)
 * come only by webhook, where the delivery id already keeps them once.
 */
export function forgeObjectKey(event: ForgeEvent): string | null {
  if (event.kind === "comment_created")
    // The thread's kind too: GitLab numbers issues and merge requests apart, and both have a description.
    return `comment:${event.repoPath.toLowerCase()}:${event.thread.kind}#${event.thread.number}:${event.comment.kind}:${event.comment.id}`;
  if (event.kind === "check_completed")
    return `check:${event.repoPath.toLowerCase()}:${event.check.source}:${event.check.id}:${event.check.commit}`;
  return null;
}
