import { Anthropic } from "@anthropic-ai/sdk";
import type {
  ContentBlockParam,
  MessageParam,
  RawMessageStreamEvent,
  TextBlockParam,
  Tool,
} from "@anthropic-ai/sdk/resources/messages";
import { ModelError } from "../model-client.ts";
import type { ConversationItem, ModelClient, ModelRequest, ModelStreamEvent, ToolSpec } from "../model-client.ts";
import type { ErrorContext } from "./errors.ts";
import { keyHint, urlHint } from "./provider-settings.ts";
import type { ProviderSettings } from "./provider-settings.ts";
import { retryingClient } from "./retrying-client.ts";
import { normalizeStopReason } from "./stop-reason.ts";
import {
  isCustomTool,
  parseArguments,
  unwrapCustomInput,
  wrapCustomInput,
  wrappedCustomParameters,
} from "./tool-input.ts";

export const DEFAULT_ANTHROPIC_MAX_TOKENS = 8192;
const ANTHROPIC_URL = "https://api.anthropic.com";

export function anthropicTools(tools: ToolSpec[]): Tool[] {
  return tools.map((t) => ({
    name: t.name,
    description: t.description,
    input_schema: (t.kind === "function" ? t.parameters : wrappedCustomParameters(t)) as Tool.InputSchema,
  }));
}

function toolInput(tools: ToolSpec[], name: string, input: unknown): Record<string, unknown> {
  if (isCustomTool(tools, name) || typeof input !== "object" || input === null) return wrapCustomInput(input);
  return input as Record<string, unknown>;
}

/** Consecutive tool results (and a following user turn) share one user message, as the API expects. */
export function anthropicMessages(items: ConversationItem[], tools: ToolSpec[]): MessageParam[] {
  const out: MessageParam[] = [];
  const userBlocks = (): ContentBlockParam[] => {
    const last = out[out.length - 1];
    if (last && last.role === "user" && Array.isArray(last.content)) return last.content;
    const blocks: ContentBlockParam[] = [];
    out.push({ role: "user", content: blocks });
    return blocks;
  };
  for (const item of items) {
    if (item.role === "user") userBlocks().push({ type: "text", text: item.text || "(empty)" });
    else if (item.role === "tool")
      userBlocks().push({ type: "tool_result", tool_use_id: item.callId, content: item.output });
    else {
      const blocks: ContentBlockParam[] = [];
      if (item.text) blocks.push({ type: "text", text: item.text });
      for (const c of item.toolCalls)
        blocks.push({ type: "tool_use", id: c.callId, name: c.name, input: toolInput(tools, c.name, c.input) });
      // The API rejects empty assistant turns.
      if (blocks.length > 0) out.push({ role: "assistant", content: blocks });
    }
  }
  return out;
}

/** Cache breakpoint on the newest block so each step reuses the previous step's prefix. */
function markCacheBreakpoint(messages: MessageParam[]): void {
  const last = messages[messages.length - 1];
  if (!last || !Array.isArray(last.content)) return;
  const block = last.content[last.content.length - 1];
  if (block && (block.type === "text" || block.type === "tool_result")) block.cache_control = { type: "ephemeral" };
}

/** The SDK adds `/v1/messages` itself; accept base URLs written either way. */
export function anthropicBaseURL(baseURL: string | undefined): string {
  return (baseURL ?? ANTHROPIC_URL).replace(/\/v1\/?$/, "").replace(/\/$/, "");
}

interface Pending {
  id: string;
  name: string;
  json: string;
}

export function createAnthropicClient(settings: ProviderSettings): ModelClient {
  const baseURL = anthropicBaseURL(settings.baseURL);
  const client = new Anthropic({ apiKey: settings.apiKey, baseURL, maxRetries: 0, defaultHeaders: settings.headers });
  const name = `${settings.providerName}/${settings.model}`;
  const ctx: ErrorContext = {
    vendor: "Anthropic",
    model: name,
    baseURL,
    apiKeyHint: keyHint(settings, "ANTHROPIC_API_KEY"),
    baseUrlHint: urlHint(settings, "ANTHROPIC_BASE_URL"),
  };

  async function* attempt(req: ModelRequest): AsyncGenerator<ModelStreamEvent> {
    const messages = anthropicMessages(req.items, req.tools);
    markCacheBreakpoint(messages);
    const system: TextBlockParam[] = req.system
      ? [{ type: "text", text: req.system, cache_control: { type: "ephemeral" } }]
      : [];
    const tools = anthropicTools(req.tools);
    const stream = await client.messages.create(
      {
        model: settings.model,
        max_tokens: settings.maxOutputTokens ?? DEFAULT_ANTHROPIC_MAX_TOKENS,
        system,
        messages,
        ...(tools.length > 0 ? { tools } : {}),
        stream: true,
      },
      { signal: req.signal },
    );
    const usage = { inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, reasoningTokens: 0 };
    const pending = new Map<number, Pending>();
    let stopReason = "end_turn";
    let sawToolCall = false;
    for await (const event of stream as AsyncIterable<RawMessageStreamEvent>) {
      switch (event.type) {
        case "message_start": {
          const u = event.message.usage;
          const cacheRead = u.cache_read_input_tokens ?? 0;
          // Anthropic counts cached and cache-written tokens outside input_tokens; ours is the total.
          usage.inputTokens = u.input_tokens + cacheRead + (u.cache_creation_input_tokens ?? 0);
          usage.cachedInputTokens = cacheRead;
          usage.outputTokens = u.output_tokens;
          usage.reasoningTokens = u.output_tokens_details?.thinking_tokens ?? 0;
          break;
        }
        case "content_block_start":
          if (event.content_block.type === "tool_use")
            pending.set(event.index, { id: event.content_block.id, name: event.content_block.name, json: "" });
          break;
        case "content_block_delta":
          if (event.delta.type === "text_delta") yield { type: "text_delta", text: event.delta.text };
          else if (event.delta.type === "thinking_delta") yield { type: "reasoning_delta", text: event.delta.thinking };
          else if (event.delta.type === "input_json_delta") {
            const p = pending.get(event.index);
            if (p) p.json += event.delta.partial_json;
          }
          break;
        case "content_block_stop": {
          const p = pending.get(event.index);
          if (!p) break;
          pending.delete(event.index);
          const args = parseArguments(p.json);
          const input = isCustomTool(req.tools, p.name) ? unwrapCustomInput(args) : args;
          sawToolCall = true;
          yield { type: "tool_call", call: { callId: p.id, name: p.name, input } };
          break;
        }
        case "message_delta":
          if (event.delta.stop_reason) stopReason = event.delta.stop_reason;
          // message_delta usage is cumulative.
          usage.outputTokens = event.usage.output_tokens;
          usage.reasoningTokens = event.usage.output_tokens_details?.thinking_tokens ?? usage.reasoningTokens;
          break;
        case "message_stop":
          yield { type: "finish", usage, stopReason: normalizeStopReason(stopReason, sawToolCall) };
          return;
      }
    }
    if (req.signal?.aborted) throw new ModelError("cancelled", "the model request was cancelled");
    throw new ModelError("server", `the stream from ${baseURL} ended before message_stop`);
  }

  return retryingClient({ name, settings, family: "anthropic", ctx }, attempt);
}
