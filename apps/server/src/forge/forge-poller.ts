import type { ForgeEvent } from "@cadre/forge";
import type { ServerContext } from "../server-context.ts";
import { forgeScope } from "./forge-scope.ts";

/** Deliveries made from polling carry Cadre's own event (already in Cadre's terms) under this name. */
export const POLLED_EVENT = "cadre.polled";
/** Polls look this far back past the last poll, so a clock skew loses nothing (repeats are stored once). */
const OVERLAP_MS = 60_000;

/** A stable id per polled event, so the same comment or check found twice is stored once. */
function pollId(repoPath: string, event: ForgeEvent): string | null {
  if (event.kind === "comment_created")
    return `poll-${event.comment.kind}-${repoPath}-${event.thread.number}-${event.comment.id}`.replace(
      /[^A-Za-z0-9-]/g,
      "-",
    );
  if (event.kind === "check_completed")
    return `poll-${event.check.source}-${event.check.id}-${event.check.commit.slice(0, 12)}`.replace(
      /[^A-Za-z0-9-]/g,
      "-",
    );
  return null;
}

/**
 * Where webhooks cannot reach Cadre (`--poll <seconds>`): once per interval across all instances,
 * a forge's repos are asked for new comments and issues, and the heads of Cadre's change requests
 * for finished checks. What is found is stored as deliveries and handled like webhooks.
 */
export async function pollForges(ctx: ServerContext): Promise<void> {
  for (const forge of await ctx.store.forges.list()) {
    if (forge.pollSeconds === null) continue;
    const turn = await ctx.store.forges.takePollTurn(forge.id);
    if (!turn) continue;
    const scope = forgeScope(ctx, forge);
    const since = new Date(Date.parse(turn.since) - OVERLAP_MS);
    for (const repo of await ctx.store.repos.forForge(forge.id)) {
      const repoPath = repo.forge?.repoPath ?? "";
      const heads = await ctx.store.forgeLinks.watchedHeads(forge.id, repoPath);
      const events = await ctx.forges.track(forge, () => scope.client.poll({ repoPath, since, heads }));
      for (const event of events) {
        const deliveryId = pollId(repoPath, event);
        if (deliveryId)
          await ctx.store.forgeWork.receive({
            forgeId: forge.id,
            deliveryId: deliveryId.slice(0, 100),
            event: POLLED_EVENT,
            payload: event,
          });
      }
    }
  }
}
