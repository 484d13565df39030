export { runAgent } from "./run-agent.ts";
export type {
  AgentBudgets,
  AgentInput,
  AgentInputKind,
  AgentOutcome,
  InboxMessage,
  ModelPrice,
  RunAgentOptions,
} from "./agent-options.ts";
export { rebuildConversation, INTERRUPTED_RESULT } from "./rebuild-conversation.ts";
export type { RebuiltConversation } from "./rebuild-conversation.ts";
export { detectStuck } from "./stuck-detector.ts";
export { usageTotals, budgetExceeded } from "./budgets.ts";
export type { UsageTotals } from "./budgets.ts";
export { usageCost } from "./usage-cost.ts";
export { compactConversation, recentItems, COMPACT_AT, KEEP_RECENT } from "./compaction.ts";
export { estimateRequestTokens, estimateTextTokens } from "./estimate-tokens.ts";
export { userMessageText } from "./user-message-text.ts";
export { deliverMessages, STOP_QUESTION } from "./deliver-messages.ts";
