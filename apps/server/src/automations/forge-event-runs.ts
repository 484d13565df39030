import type { ForgeEvent } from "@cadre/forge";
import { changeRequestName, type AutomationEventKind, type AutomationTrigger } from "@cadre/protocol";
import type { NewTask } from "@cadre/store";
import type { Decision } from "../forge/decisions.ts";
import { REVIEW_CHECK } from "../forge/forge-jobs.ts";
import type { ForgeScope } from "../forge/forge-scope.ts";
import { failedRun, insertRun, prepareRun, type RunStart } from "./start-run.ts";

/** A forge event as automations see it: which kind, what it says, where a run starts. */
interface Offer {
  kind: AutomationEventKind;
  detail: string;
  text: string;
  baseRef?: string;
  /** What makes two deliveries the same start (default: the delivery itself). */
  once?: string;
  matches: (trigger: Extract<AutomationTrigger, { kind: "event" }>) => boolean;
}

const always = (): boolean => true;

async function offerOf(scope: ForgeScope, event: ForgeEvent): Promise<Offer | null> {
  switch (event.kind) {
    case "push": {
      // Cadre's own pushes (its branches, its change requests) never start automations: no loops.
      if (event.branch.startsWith("cadre/") || event.actor.login === (await scope.botLogin().catch(() => "")))
        return null;
      return {
        kind: "push",
        detail: `push to ${event.branch} at ${event.commit.slice(0, 12)}`,
        text: `This run was started by a push to the branch ${event.branch} (now at ${event.commit}).`,
        baseRef: event.commit,
        matches: (trigger) => !trigger.branch || trigger.branch === event.branch,
      };
    }
    case "change_request": {
      const change = event.changeRequest;
      if (event.action !== "opened" || change.author.isBot) return null;
      if (change.author.login === (await scope.botLogin().catch(() => ""))) return null;
      return {
        kind: "change_request_opened",
        detail: `${changeRequestName(scope.adapter.nouns, change.number)} opened`,
        text: `This run was started by ${changeRequestName(scope.adapter.nouns, change.number)} (${change.url}), "${change.title}", from ${change.head.branch} into ${change.base.branch}:\n\n${change.body}`.trim(),
        ...(change.head.repoPath.toLowerCase() === event.repoPath.toLowerCase() ? { baseRef: change.head.commit } : {}),
        matches: always,
      };
    }
    case "check_completed": {
      const { check } = event;
      if (!check.failed || check.name === REVIEW_CHECK) return null;
      const said = [check.title, check.summary].filter(Boolean).join("\n");
      return {
        kind: "check_failed",
        detail: `check ${check.name} failed at ${check.commit.slice(0, 12)}`,
        text: `This run was started by the check ${check.name}, which failed (${check.conclusion}) on ${check.commit}${check.url ? ` (${check.url})` : ""}.${said ? `\n\n${said}` : ""}`,
        baseRef: check.commit,
        matches: always,
      };
    }
    case "issue_labelled":
      return {
        kind: "issue_labelled",
        detail: `issue #${event.thread.number} labelled ${event.label}`,
        text: `This run was started by the label "${event.label}" on issue #${event.thread.number} (${event.url}): ${event.title}`,
        // A label starts one run per issue: Gitea reports every label an issue has on each change.
        once: `label:${event.repoPath}#${event.thread.number}:${event.label}`,
        matches: (trigger) => trigger.label === event.label,
      };
    default:
      return null;
  }
}

/**
 * What a processed forge event starts: one run for each active automation of its repo that waits
 * for it. Each run's task is written in the delivery's own transaction (keyed by the delivery),
 * so a delivery handled twice starts nothing twice.
 */
export async function automationDecisions(
  scope: ForgeScope,
  deliveryId: string,
  event: ForgeEvent,
): Promise<Decision[]> {
  if (!("repoPath" in event)) return [];
  const repo = await scope.ctx.store.repos.byForgeRepo(scope.forge.id, event.repoPath);
  const offer = repo ? await offerOf(scope, event) : null;
  if (!repo || !offer) return [];
  const decisions: Decision[] = [];
  const slotKey = offer.once
    ? `${scope.forge.id}:${offer.once}`
    : `delivery:${scope.forge.id}:${deliveryId}:${offer.kind}`;
  for (const automation of await scope.ctx.store.automations.activeOnEvent(repo.id, offer.kind)) {
    if (automation.trigger.kind !== "event" || !offer.matches(automation.trigger)) continue;
    const start: RunStart = {
      trigger: "event",
      detail: offer.detail,
      text: offer.text,
      ...(offer.baseRef ? { baseRef: offer.baseRef } : {}),
      slotKey,
    };
    if (offer.once && (await scope.ctx.store.automations.hasRun(automation.id, slotKey))) continue;
    let task: NewTask | null = null;
    let refusal: unknown = null;
    try {
      task = await prepareRun(scope.ctx, automation, start);
    } catch (error) {
      refusal = error;
    }
    decisions.push({
      kind: "write",
      outcome: `automation ${automation.name} started (${offer.detail})`,
      apply: async (tx) => {
        if (!task) {
          await failedRun(tx, automation, start, refusal);
          return `automation ${automation.name} could not start: ${(refusal as Error).message}`;
        }
        if (!(await insertRun(tx, automation, start, task)))
          return `automation ${automation.name} already has a run for ${offer.detail}`;
        return undefined;
      },
    });
  }
  return decisions;
}
