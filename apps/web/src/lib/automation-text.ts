import type { AutomationRun, AutomationTrigger } from "@cadre/protocol";

/** An automation's trigger in the words the CLI uses too. */
export function triggerText(trigger: AutomationTrigger): string {
  if (trigger.kind === "schedule") return `schedule ${trigger.cron} (UTC)`;
  if (trigger.event === "push") return `push${trigger.branch ? ` to ${trigger.branch}` : ""}`;
  if (trigger.event === "issue_labelled") return `issue labelled ${trigger.label ?? "?"}`;
  if (trigger.event === "change_request_opened") return "pull request opened";
  if (trigger.event === "check_failed") return "check failed";
  return "fire URL only";
}

export function runText(run: AutomationRun): string {
  if (run.state === "failed") return `failed: ${run.error ?? "see the task"}`;
  return run.outcome ? `${run.state}: ${run.outcome}` : run.state;
}
