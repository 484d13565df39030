/**
 * One vocabulary for why a reply ended, whatever the provider called it:
 * "stop" (answered), "tool_calls", "max_tokens" (cut off), or the provider's own word otherwise.
 */
export type StopReason = "stop" | "tool_calls" | "max_tokens" | (string & {});

const ALIASES: Record<string, StopReason> = {
  end_turn: "stop",
  stop_sequence: "stop",
  completed: "stop",
  tool_use: "tool_calls",
  function_call: "tool_calls",
  length: "max_tokens",
  max_output_tokens: "max_tokens",
};

export function normalizeStopReason(raw: string | null | undefined, hadToolCalls: boolean): StopReason {
  if (hadToolCalls) return "tool_calls";
  if (!raw) return "stop";
  return ALIASES[raw] ?? raw;
}
