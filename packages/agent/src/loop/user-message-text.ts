import type { AgentInputKind } from "./agent-options.ts";

/** How each kind of user input reads to the model. */
export function userMessageText(kind: AgentInputKind, text: string): string {
  const t = text.trim();
  switch (kind) {
    case "prompt":
    case "followup":
      return t;
    case "answer":
      return `Answer to your question:\n${t}`;
    case "plan_approved":
      return `The plan is approved. Implement it now.${t ? `\n${t}` : ""}`;
    case "plan_rejected":
      return `The plan was not approved. Comments:\n${t || "(none)"}\nRevise the plan with update_plan, then stop and wait for approval again.`;
    case "resolve_conflicts":
      return `Resolve the merge conflicts in the workspace.${t ? `\n${t}` : ""}`;
  }
}
