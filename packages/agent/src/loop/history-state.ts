import type { EventBody } from "@cadre/protocol";
import { REQUEST_USER_INPUT_RESULT } from "../tools/request-user-input-tool.ts";
import type { AgentOutcome } from "./agent-options.ts";
import { rebuildConversation } from "./rebuild-conversation.ts";

/** Whether the last conversation event is a compaction (nothing new was said since). */
export function lastIsCompaction(events: readonly EventBody[]): boolean {
  for (let i = events.length - 1; i >= 0; i--) {
    const t = events[i]?.type;
    if (t === "compaction") return true;
    if (t === "user_message" || t === "assistant_message" || t === "tool_call" || t === "tool_result") return false;
  }
  return false;
}

/** Plan mode: edits are allowed once the latest plan decision is an approval. */
export function isPlanApproved(events: readonly EventBody[]): boolean {
  let approved = false;
  for (const e of events) {
    if (e.type !== "user_message") continue;
    if (e.kind === "plan_approved") approved = true;
    else if (e.kind === "plan_rejected") approved = false;
  }
  return approved;
}

/**
 * On resume: if the attempt had already reached an end before the runner died (a final answer,
 * or a question to the user), return that outcome instead of calling the model again.
 */
export function settledOutcome(
  events: readonly EventBody[],
  keepTokens: number,
  finalOutcome: (summary: string) => AgentOutcome,
): AgentOutcome | null {
  const { items } = rebuildConversation(events, keepTokens);
  const last = items[items.length - 1];
  if (!last) return null;
  if (last.role === "assistant" && last.toolCalls.length === 0) return finalOutcome(last.text.trim());
  if (last.role === "tool" && last.name === "request_user_input" && last.output === REQUEST_USER_INPUT_RESULT)
    return { kind: "waiting", waitingFor: "answer" };
  return null;
}
