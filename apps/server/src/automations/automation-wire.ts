import type { Automation } from "@cadre/protocol";
import type { AutomationRecord } from "@cadre/store";
import type { ServerContext } from "../server-context.ts";
import { automationNow } from "./automation-clock.ts";
import { nextSlot } from "./schedule.ts";

/** Runs shown with an automation (list, show, web). */
export const RECENT_RUNS = 5;

export function fireUrl(ctx: ServerContext, id: string): string {
  return `${ctx.forges.url}/api/v1/automations/${id}/fire`;
}

/** An automation as the API shows it: never its token's hash; its next slot and latest runs. */
export async function automationToWire(ctx: ServerContext, record: AutomationRecord): Promise<Automation> {
  const next =
    record.state === "active" && record.trigger.kind === "schedule"
      ? nextSlot(record.trigger.cron, automationNow(ctx.env))
      : null;
  return {
    id: record.id,
    name: record.name,
    repoId: record.repoId,
    repoName: record.repoName,
    environmentId: record.environmentId,
    prompt: record.prompt,
    mode: record.mode,
    deliver: record.deliver,
    trigger: record.trigger,
    state: record.state,
    pausedReason: record.pausedReason,
    consecutiveFailures: record.consecutiveFailures,
    nextRunAt: next ? next.toISOString() : null,
    fireUrl: fireUrl(ctx, record.id),
    createdBy: record.createdBy,
    createdAt: record.createdAt,
    lastRuns: await ctx.store.automations.runs(record.id, RECENT_RUNS),
  };
}
