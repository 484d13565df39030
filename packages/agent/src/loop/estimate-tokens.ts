import type { ConversationItem, ToolSpec } from "../model-client.ts";

/** Rough token count: about four characters per token. */
export function estimateTextTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export function estimateItemTokens(item: ConversationItem): number {
  switch (item.role) {
    case "user":
      return estimateTextTokens(item.text) + 4;
    case "assistant":
      return (
        estimateTextTokens(item.text) +
        item.toolCalls.reduce((n, c) => n + estimateTextTokens(c.name + JSON.stringify(c.input ?? null)) + 8, 4)
      );
    case "tool":
      return estimateTextTokens(item.output) + 8;
  }
}

export function estimateRequestTokens(
  system: string,
  items: readonly ConversationItem[],
  tools: readonly ToolSpec[],
): number {
  return (
    estimateTextTokens(system) +
    estimateTextTokens(JSON.stringify(tools)) +
    items.reduce((n, i) => n + estimateItemTokens(i), 0)
  );
}
