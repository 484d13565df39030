import { chunks } from "./resolved-reply.ts";
import type { ResolvedReply } from "./resolved-reply.ts";

/** Builds the Chat Completions chunk stream for one reply, ending in `data: [DONE]`. */
export function chatStream(reply: ResolvedReply, completionId: string, includeUsage: boolean): string {
  const created = Math.floor(Date.now() / 1000);
  let out = "";
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}): void => {
    const body = { id: completionId, object: "chat.completion.chunk", created, model: reply.model, choices, ...extra };
    out += `data: ${JSON.stringify(body)}\n\n`;
  };
  const delta = (d: Record<string, unknown>): void => chunk([{ index: 0, delta: d, finish_reason: null }]);

  delta({ role: "assistant", content: "" });
  // vLLM and friends stream reasoning as `reasoning_content`.
  for (const piece of chunks(reply.reasoning)) delta({ reasoning_content: piece });
  for (const piece of chunks(reply.text)) delta({ content: piece });
  reply.toolCalls.forEach((call, index) => {
    delta({ tool_calls: [{ index, id: call.id, type: "function", function: { name: call.name, arguments: "" } }] });
    for (const piece of chunks(call.payload, 256)) delta({ tool_calls: [{ index, function: { arguments: piece } }] });
  });
  chunk([{ index: 0, delta: {}, finish_reason: reply.toolCalls.length > 0 ? "tool_calls" : "stop" }]);
  if (includeUsage) {
    const u = reply.usage;
    chunk([], {
      usage: {
        prompt_tokens: u.input,
        completion_tokens: u.output,
        total_tokens: u.input + u.output,
        prompt_tokens_details: { cached_tokens: u.cached },
        completion_tokens_details: { reasoning_tokens: u.reasoning },
      },
    });
  }
  out += "data: [DONE]\n\n";
  return out;
}
