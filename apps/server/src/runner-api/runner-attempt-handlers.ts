import type { ServerContext } from "../server-context.ts";
import { buildRunContext } from "./attempt-run-context.ts";
import { pushFollowUp } from "./follow-up-push.ts";
import { requireHeld } from "./held-attempt.ts";
import type { RunnerHandlers } from "./runner-api.ts";

type AttemptRoute =
  | "attemptContext"
  | "attemptHistory"
  | "attemptTurns"
  | "attemptInbox"
  | "appendEvents"
  | "recordAttempt"
  | "pushFollowUp"
  | "releaseAttempt";

/** What a runner does for an attempt it holds; every route refuses one it does not (lease_lost). */
export function runnerAttemptHandlers(ctx: ServerContext): Pick<RunnerHandlers, AttemptRoute> {
  return {
    async attemptContext({ params, principal }) {
      return buildRunContext(ctx, principal, await requireHeld(ctx, principal, params.id));
    },
    async attemptHistory({ params, principal }) {
      await requireHeld(ctx, principal, params.id);
      return { items: await ctx.store.events.all(params.id) };
    },
    async attemptTurns({ params, principal }) {
      await requireHeld(ctx, principal, params.id);
      return { items: await ctx.store.attempts.turns(params.id) };
    },
    async attemptInbox({ params, principal }) {
      await requireHeld(ctx, principal, params.id);
      return { items: await ctx.store.messages.pending(params.id) };
    },
    /** Fenced in the append's own transaction (the lease is checked where the events are numbered). */
    async appendEvents({ params, body, principal }) {
      const stored = await ctx.store.events.append(params.id, body.turn, body.events, {
        runnerId: principal.runnerId,
        afterSeq: body.afterSeq,
      });
      // This instance's streams get them now rather than after the NOTIFY round trip and a re-read.
      ctx.bus.appended(params.id, stored);
      // Messages that arrived after the agent's last step become a follow-up turn once the run completed.
      if (body.events.some((event) => event.type === "status" && event.status === "completed"))
        await ctx.store.messages.followUpLeftovers(params.id);
      return { lastSeq: stored.at(-1)?.seq ?? body.afterSeq ?? 0 };
    },
    async recordAttempt({ params, body, principal }) {
      await requireHeld(ctx, principal, params.id);
      if (body.image !== undefined) await ctx.store.attempts.setImage(params.id, body.image);
      return { ok: true as const };
    },
    async pushFollowUp({ params, body, principal }) {
      await requireHeld(ctx, principal, params.id);
      return { notice: await pushFollowUp(ctx, params.id, body.commit) };
    },
    async releaseAttempt({ params, principal }) {
      await ctx.store.queue.release(principal.runnerId, params.id);
      return { ok: true as const };
    },
  };
}
