import { chunks } from "./resolved-reply.ts";
import type { ResolvedReply } from "./resolved-reply.ts";

/** Builds the OpenAI Responses SSE event sequence for one reply. */
export function responsesStream(reply: ResolvedReply, responseId: string): string {
  let seq = 0;
  let out = "";
  const emit = (type: string, fields: Record<string, unknown>): void => {
    out += `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...fields })}\n\n`;
  };
  const created = Math.floor(Date.now() / 1000);
  const base = {
    id: responseId,
    object: "response",
    created_at: created,
    model: reply.model,
    store: false,
    tools: [],
    parallel_tool_calls: true,
  };
  emit("response.created", { response: { ...base, status: "in_progress", output: [], usage: null } });
  emit("response.in_progress", { response: { ...base, status: "in_progress", output: [], usage: null } });

  const output: Record<string, unknown>[] = [];
  if (reply.reasoning) {
    const id = `rs_${responseId}_${output.length}`;
    const index = output.length;
    emit("response.output_item.added", { output_index: index, item: { id, type: "reasoning", summary: [] } });
    emit("response.reasoning_summary_part.added", {
      item_id: id,
      output_index: index,
      summary_index: 0,
      part: { type: "summary_text", text: "" },
    });
    for (const delta of chunks(reply.reasoning))
      emit("response.reasoning_summary_text.delta", { item_id: id, output_index: index, summary_index: 0, delta });
    emit("response.reasoning_summary_text.done", {
      item_id: id,
      output_index: index,
      summary_index: 0,
      text: reply.reasoning,
    });
    const part = { type: "summary_text", text: reply.reasoning };
    emit("response.reasoning_summary_part.done", { item_id: id, output_index: index, summary_index: 0, part });
    const item = { id, type: "reasoning", summary: [part] };
    emit("response.output_item.done", { output_index: index, item });
    output.push(item);
  }
  if (reply.text) {
    const id = `msg_${responseId}_${output.length}`;
    const index = output.length;
    emit("response.output_item.added", {
      output_index: index,
      item: { id, type: "message", status: "in_progress", role: "assistant", content: [] },
    });
    emit("response.content_part.added", {
      item_id: id,
      output_index: index,
      content_index: 0,
      part: { type: "output_text", text: "", annotations: [] },
    });
    for (const delta of chunks(reply.text))
      emit("response.output_text.delta", { item_id: id, output_index: index, content_index: 0, delta, logprobs: [] });
    emit("response.output_text.done", {
      item_id: id,
      output_index: index,
      content_index: 0,
      text: reply.text,
      logprobs: [],
    });
    const part = { type: "output_text", text: reply.text, annotations: [] };
    emit("response.content_part.done", { item_id: id, output_index: index, content_index: 0, part });
    const item = { id, type: "message", status: "completed", role: "assistant", content: [part] };
    emit("response.output_item.done", { output_index: index, item });
    output.push(item);
  }
  for (const call of reply.toolCalls) {
    const index = output.length;
    if (call.custom) {
      const id = `ctc_${responseId}_${index}`;
      emit("response.output_item.added", {
        output_index: index,
        item: { id, type: "custom_tool_call", call_id: call.id, name: call.name, input: "" },
      });
      for (const delta of chunks(call.payload, 256))
        emit("response.custom_tool_call_input.delta", { item_id: id, output_index: index, delta });
      emit("response.custom_tool_call_input.done", { item_id: id, output_index: index, input: call.payload });
      const item = {
        id,
        type: "custom_tool_call",
        status: "completed",
        call_id: call.id,
        name: call.name,
        input: call.payload,
      };
      emit("response.output_item.done", { output_index: index, item });
      output.push(item);
    } else {
      const id = `fc_${responseId}_${index}`;
      const named = { name: call.name, ...(call.namespace ? { namespace: call.namespace } : {}) };
      emit("response.output_item.added", {
        output_index: index,
        item: { id, type: "function_call", status: "in_progress", call_id: call.id, ...named, arguments: "" },
      });
      for (const delta of chunks(call.payload, 256))
        emit("response.function_call_arguments.delta", { item_id: id, output_index: index, delta });
      emit("response.function_call_arguments.done", {
        item_id: id,
        output_index: index,
        name: call.name,
        arguments: call.payload,
      });
      const item = {
        id,
        type: "function_call",
        status: "completed",
        call_id: call.id,
        ...named,
        arguments: call.payload,
      };
      emit("response.output_item.done", { output_index: index, item });
      output.push(item);
    }
  }
  const u = reply.usage;
  const usage = {
    input_tokens: u.input,
    input_tokens_details: { cached_tokens: u.cached },
    output_tokens: u.output,
    output_tokens_details: { reasoning_tokens: u.reasoning },
    total_tokens: u.input + u.output,
  };
  emit("response.completed", { response: { ...base, status: "completed", output, usage } });
  return out;
}
