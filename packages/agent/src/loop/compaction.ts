import type { ConversationItem } from "../model-client.ts";
import { estimateItemTokens } from "./estimate-tokens.ts";

/** Compact when a request would pass this share of the context window. */
export const COMPACT_AT = 0.9;
/** Share of the window kept verbatim (the most recent items) after compaction. */
export const KEEP_RECENT = 0.3;
/** Share of the window the summarizing call may read. */
export const SUMMARIZE_INPUT = 0.6;

export const COMPACTION_SYSTEM_PROMPT =
  "You are summarizing a coding agent's work so far so that it can continue in a fresh context. Write for the agent itself. " +
  "Be specific and complete; keep file paths, function names, commands and error messages exact.";

export const COMPACTION_REQUEST = `Summarize the conversation so far for yourself, to continue the task after the earlier messages are dropped. Include:
1. The task: what was asked, with every requirement and decision the user gave.
2. The plan and the status of each step.
3. The code state: files changed and how, important code found (paths, names).
4. Tests and checks: what was run and the results (failures verbatim, short).
5. What is left to do, and the next step.
Reply with the summary only.`;

export function summaryItem(summary: string): ConversationItem {
  return { role: "user", text: `[The earlier conversation was compacted. Summary of the work so far:]\n${summary}` };
}

/**
 * The most recent items fitting in `budgetTokens`, starting at a safe boundary: never at a tool
 * result whose call was cut off, so every kept call keeps its result and vice versa.
 */
export function recentItems(items: readonly ConversationItem[], budgetTokens: number): ConversationItem[] {
  let start = items.length;
  let used = 0;
  while (start > 0) {
    const cost = estimateItemTokens(items[start - 1] as ConversationItem);
    if (used + cost > budgetTokens) break;
    used += cost;
    start--;
  }
  while (start < items.length && items[start]?.role === "tool") start++;
  return items.slice(start);
}

/**
 * The conversation after a compaction: the original task prompt, the summary, and the recent
 * items that fit in `keepTokens`. Deterministic, so rebuilding from history gives the same result.
 */
export function compactConversation(
  items: readonly ConversationItem[],
  summary: string,
  prompt: ConversationItem | null,
  keepTokens: number,
): ConversationItem[] {
  const tail = recentItems(items, keepTokens);
  const head: ConversationItem[] = [];
  if (prompt && !tail.includes(prompt)) head.push(prompt);
  head.push(summaryItem(summary));
  return [...head, ...tail];
}

/** The items the summarizing call reads: the prompt plus as much recent history as fits in `budgetTokens`. */
export function itemsToSummarize(
  items: readonly ConversationItem[],
  prompt: ConversationItem | null,
  budgetTokens: number,
): ConversationItem[] {
  const tail = recentItems(items, budgetTokens);
  const head = prompt && !tail.includes(prompt) ? [prompt] : [];
  return [...head, ...tail, { role: "user", text: COMPACTION_REQUEST }];
}
