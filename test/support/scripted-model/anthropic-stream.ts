import { chunks } from "./resolved-reply.ts";
import type { ResolvedReply } from "./resolved-reply.ts";

/** Builds the Anthropic Messages SSE event sequence for one reply. */
export function anthropicStream(reply: ResolvedReply, messageId: string): string {
  let out = "";
  const emit = (type: string, fields: Record<string, unknown>): void => {
    out += `event: ${type}\ndata: ${JSON.stringify({ type, ...fields })}\n\n`;
  };
  const u = reply.usage;
  // Anthropic reports cache reads separately from (not inside) input_tokens.
  const usageStart = {
    input_tokens: Math.max(0, u.input - u.cached),
    cache_read_input_tokens: u.cached,
    cache_creation_input_tokens: 0,
    output_tokens: 1,
  };
  emit("message_start", {
    message: {
      id: messageId,
      type: "message",
      role: "assistant",
      model: reply.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: usageStart,
    },
  });
  let index = 0;
  if (reply.reasoning) {
    emit("content_block_start", { index, content_block: { type: "thinking", thinking: "", signature: "" } });
    for (const thinking of chunks(reply.reasoning))
      emit("content_block_delta", { index, delta: { type: "thinking_delta", thinking } });
    emit("content_block_delta", { index, delta: { type: "signature_delta", signature: "scripted" } });
    emit("content_block_stop", { index });
    index++;
  }
  if (reply.text) {
    emit("content_block_start", { index, content_block: { type: "text", text: "" } });
    for (const text of chunks(reply.text)) emit("content_block_delta", { index, delta: { type: "text_delta", text } });
    emit("content_block_stop", { index });
    index++;
  }
  for (const call of reply.toolCalls) {
    emit("content_block_start", {
      index,
      content_block: { type: "tool_use", id: call.id, name: call.name, input: {} },
    });
    for (const partial_json of chunks(call.payload, 256))
      emit("content_block_delta", { index, delta: { type: "input_json_delta", partial_json } });
    emit("content_block_stop", { index });
    index++;
  }
  emit("message_delta", {
    delta: { stop_reason: reply.toolCalls.length > 0 ? "tool_use" : "end_turn", stop_sequence: null },
    usage: { output_tokens: u.output, output_tokens_details: { thinking_tokens: u.reasoning } },
  });
  emit("message_stop", {});
  return out;
}
