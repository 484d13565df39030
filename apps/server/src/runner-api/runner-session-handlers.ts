import { randomBytes } from "node:crypto";
import { CadreError, type HeldAttempt } from "@cadre/protocol";
import { hashToken, newId } from "@cadre/store";
import type { ServerContext } from "../server-context.ts";
import type { RunnerHandlers } from "./runner-api.ts";
import type { RunnerPrincipal } from "./runner-principal.ts";
import { leaseMs, queueLimits } from "./runner-settings.ts";
import { wakeOn } from "./wake-on.ts";

/** A poll with nothing to give re-checks the queue this often: no notification announces an expired lease. */
const RECHECK_MS = 2000;

async function requireActive(ctx: ServerContext, runner: RunnerPrincipal): Promise<void> {
  if (!(await ctx.store.runners.active(runner.runnerId)))
    throw new CadreError(
      "unauthorized",
      `runner ${runner.name} is no longer registered (it left, or its token was revoked): restart it; if its token was revoked, ask an admin for a new one`,
    );
}

async function claimUpTo(ctx: ServerContext, runner: RunnerPrincipal, free: number): Promise<HeldAttempt[]> {
  const claimed: HeldAttempt[] = [];
  const lease = leaseMs(ctx.env);
  const limits = queueLimits(ctx.env);
  while (claimed.length < free) {
    const record = await ctx.store.queue.claim(runner.runnerId, lease, limits);
    if (!record) break;
    claimed.push(record);
  }
  // A revocation committed between the check before the claim and the claim itself released
  // nothing of what was claimed after it: checked again once the claim is in, and handed back.
  if (claimed.length > 0 && !(await ctx.store.runners.active(runner.runnerId))) {
    for (const attempt of claimed) await ctx.store.queue.release(runner.runnerId, attempt.id);
    await requireActive(ctx, runner);
  }
  return claimed;
}

async function cancelledAmong(ctx: ServerContext, runner: RunnerPrincipal, watch: string[]): Promise<string[]> {
  if (watch.length === 0) return [];
  const requested = new Set(await ctx.store.queue.cancelRequested(runner.runnerId));
  return watch.filter((id) => requested.has(id));
}

export function runnerSessionHandlers(
  ctx: ServerContext,
): Pick<RunnerHandlers, "registerRunner" | "pollRunner" | "heartbeatRunner" | "leaveRunner"> {
  return {
    async registerRunner({ body, principal }) {
      const runnerId = newId("runner");
      const session = `cadre_session_${randomBytes(24).toString("base64url")}`;
      await ctx.store.runners.register(runnerId, body.name, body.slots, {
        tokenId: principal.tokenId,
        sessionHash: hashToken(session),
      });
      return { runnerId, session, leaseMs: leaseMs(ctx.env) };
    },

    /**
     * Claims up to `free` attempts; with nothing to claim and no watched attempt cancelled, waits
     * for the queue's or the cancel channel's NOTIFY (from any instance), re-checking now and then.
     */
    async pollRunner({ body, principal, signal }) {
      const deadline = Date.now() + body.waitMs;
      const wake = wakeOn((notify) => {
        const offQueue = ctx.bus.onQueue(notify);
        const offCancel = ctx.bus.onCancel(notify);
        return () => {
          offQueue();
          offCancel();
        };
      }, signal);
      try {
        for (;;) {
          await requireActive(ctx, principal);
          const cancel = await cancelledAmong(ctx, principal, body.watch);
          const claimed = signal?.aborted ? [] : await claimUpTo(ctx, principal, body.free);
          if (claimed.length > 0 && signal?.aborted) {
            // The caller went away while we claimed: give the attempts straight back.
            for (const attempt of claimed) await ctx.store.queue.release(principal.runnerId, attempt.id);
            return { claimed: [], cancel: [] };
          }
          const left = deadline - Date.now();
          if (claimed.length > 0 || cancel.length > 0 || left <= 0 || signal?.aborted) return { claimed, cancel };
          await wake.wait(Math.min(left, RECHECK_MS));
        }
      } finally {
        wake.stop();
      }
    },

    async heartbeatRunner({ body, principal }) {
      await requireActive(ctx, principal);
      const held = await ctx.store.queue.renew(principal.runnerId, body.attempts, leaseMs(ctx.env));
      const cancel = await cancelledAmong(ctx, principal, held);
      await ctx.store.runners.heartbeat(principal.runnerId, held.length, body.imageBytes);
      return { held, cancel };
    },

    async leaveRunner({ principal }) {
      await ctx.store.runners.remove(principal.runnerId);
      return { ok: true as const };
    },
  };
}
