import type { AgentInputKind } from "./agent-options.ts";

/** How each kind of user input reads to the model (`message`: sent while the agent works). */
export function userMessageText(kind: AgentInputKind | "message", text: string, stop = false): string {
  const t = text.trim();
  switch (kind) {
    case "message":
      return stop
        ? `The user interrupted you and asked you to stop and wait for their instructions.${t ? `\n${t}` : ""}`
        : `A message from the user while you work (take it into account and carry on):\n${t}`;
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
