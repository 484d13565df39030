import type { EventBody } from "@cadre/protocol";
import type { AgentBudgets } from "./agent-options.ts";

export interface UsageTotals {
  steps: number;
  tokens: number;
  costUsd: number;
}

/** What the attempt has used so far, from its usage events (one per model call). */
export function usageTotals(history: readonly EventBody[]): UsageTotals {
  const t: UsageTotals = { steps: 0, tokens: 0, costUsd: 0 };
  for (const e of history) {
    if (e.type !== "usage") continue;
    t.steps++;
    t.tokens += e.usage.inputTokens + e.usage.outputTokens;
    t.costUsd += e.usage.costUsd;
  }
  return t;
}

/** Checked before each model call: the message says which budget ran out and what to do, or null. */
export function budgetExceeded(t: UsageTotals, b: AgentBudgets): string | null {
  const advice = "Raise the budget in the task's settings, or send a follow-up with a narrower instruction.";
  if (t.steps >= b.maxSteps) return `Step budget exhausted: ${t.steps} of ${b.maxSteps} model calls used. ${advice}`;
  if (t.tokens >= b.maxTokens) return `Token budget exhausted: ${t.tokens} of ${b.maxTokens} tokens used. ${advice}`;
  if (t.costUsd >= b.maxCostUsd)
    return `Cost budget exhausted: $${t.costUsd.toFixed(4)} of $${b.maxCostUsd.toFixed(2)} spent. ${advice}`;
  return null;
}
