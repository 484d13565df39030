import { OpenAI } from "openai";
import type {
  ChatCompletionChunk,
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from "openai/resources/chat/completions";
import { ModelError } from "../model-client.ts";
import type { ConversationItem, ModelClient, ModelRequest, ModelStreamEvent, ToolSpec } from "../model-client.ts";
import type { ErrorContext } from "./errors.ts";
import { keyHint, urlHint } from "./provider-settings.ts";
import type { ProviderSettings } from "./provider-settings.ts";
import { retryingClient } from "./retrying-client.ts";
import { normalizeStopReason } from "./stop-reason.ts";
import {
  argumentsJson,
  isCustomTool,
  parseArguments,
  unwrapCustomInput,
  wrappedCustomParameters,
} from "./tool-input.ts";

export function chatTools(tools: ToolSpec[]): ChatCompletionTool[] {
  return tools.map((t) => ({
    type: "function",
    function: {
      name: t.name,
      description: t.description,
      parameters: t.kind === "function" ? t.parameters : wrappedCustomParameters(t),
    },
  }));
}

export function chatMessages(
  system: string,
  items: ConversationItem[],
  tools: ToolSpec[],
): ChatCompletionMessageParam[] {
  const out: ChatCompletionMessageParam[] = [];
  if (system) out.push({ role: "system", content: system });
  for (const item of items) {
    if (item.role === "user") out.push({ role: "user", content: item.text });
    else if (item.role === "tool") out.push({ role: "tool", tool_call_id: item.callId, content: item.output });
    else {
      const toolCalls = item.toolCalls.map((c) => ({
        id: c.callId,
        type: "function" as const,
        function: { name: c.name, arguments: argumentsJson(tools, c.name, c.input) },
      }));
      out.push({
        role: "assistant",
        content: item.text || null,
        ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
      });
    }
  }
  return out;
}

interface PartialCall {
  id: string;
  name: string;
  args: string;
}

/** Non-standard reasoning fields used by vLLM (`reasoning_content`) and OpenRouter/Ollama (`reasoning`). */
function reasoningOf(delta: ChatCompletionChunk.Choice.Delta): string {
  const extra = delta as { reasoning_content?: unknown; reasoning?: unknown };
  if (typeof extra.reasoning_content === "string") return extra.reasoning_content;
  if (typeof extra.reasoning === "string") return extra.reasoning;
  return "";
}

export function createOpenAIChatClient(settings: ProviderSettings): ModelClient {
  if (!settings.baseURL)
    throw new ModelError(
      "bad_request",
      `providers.${settings.providerName}.baseUrl is not set: an openai-chat provider needs the server's URL`,
    );
  const baseURL = settings.baseURL;
  const client = new OpenAI({ apiKey: settings.apiKey, baseURL, maxRetries: 0, defaultHeaders: settings.headers });
  const name = `${settings.providerName}/${settings.model}`;
  const ctx: ErrorContext = {
    vendor: "OpenAI",
    model: name,
    baseURL,
    apiKeyHint: keyHint(settings, "OPENAI_API_KEY"),
    baseUrlHint: urlHint(settings, "OPENAI_BASE_URL"),
  };

  async function* attempt(req: ModelRequest): AsyncGenerator<ModelStreamEvent> {
    const messages = chatMessages(req.system, req.items, req.tools);
    const tools = chatTools(req.tools);
    const stream = await client.chat.completions.create(
      {
        model: settings.model,
        messages,
        ...(tools.length > 0 ? { tools } : {}),
        stream: true,
        stream_options: { include_usage: true },
        ...(settings.maxOutputTokens ? { max_tokens: settings.maxOutputTokens } : {}),
        ...(settings.reasoning?.effort ? { reasoning_effort: settings.reasoning.effort } : {}),
      },
      { signal: req.signal },
    );
    const calls = new Map<number, PartialCall>();
    let finishReason: string | null = null;
    let usage: ChatCompletionChunk["usage"] = null;
    let sawChunk = false;
    for await (const chunk of stream) {
      sawChunk = true;
      if (chunk.usage) usage = chunk.usage;
      for (const choice of chunk.choices) {
        const delta = choice.delta;
        const reasoning = reasoningOf(delta);
        if (reasoning) yield { type: "reasoning_delta", text: reasoning };
        if (delta.content) yield { type: "text_delta", text: delta.content };
        for (const tc of delta.tool_calls ?? []) {
          // Fragments of one call share an index; the id and name come only with the first.
          const call = calls.get(tc.index) ?? { id: "", name: "", args: "" };
          if (tc.id) call.id = tc.id;
          if (tc.function?.name) call.name += tc.function.name;
          if (tc.function?.arguments) call.args += tc.function.arguments;
          calls.set(tc.index, call);
        }
        if (choice.finish_reason) finishReason = choice.finish_reason;
      }
    }
    if (req.signal?.aborted) throw new ModelError("cancelled", "the model request was cancelled");
    if (!sawChunk) throw new ModelError("server", `the stream from ${baseURL} ended without a reply`);
    const ordered = [...calls.entries()].sort(([a], [b]) => a - b);
    for (const [index, call] of ordered) {
      const args = parseArguments(call.args);
      const input = isCustomTool(req.tools, call.name) ? unwrapCustomInput(args) : args;
      // Some local servers omit ids; the loop needs one to pair the result.
      yield {
        type: "tool_call",
        call: { callId: call.id || `call_${Date.now().toString(36)}_${index}`, name: call.name, input },
      };
    }
    yield {
      type: "finish",
      usage: {
        // Servers that ignore include_usage get a rough estimate so context tracking still works.
        inputTokens: usage?.prompt_tokens ?? Math.ceil(JSON.stringify(messages).length / 4),
        cachedInputTokens: usage?.prompt_tokens_details?.cached_tokens ?? 0,
        outputTokens: usage?.completion_tokens ?? 0,
        reasoningTokens: usage?.completion_tokens_details?.reasoning_tokens ?? 0,
      },
      stopReason: normalizeStopReason(finishReason, calls.size > 0),
    };
  }

  return retryingClient({ name, settings, family: "openai", ctx }, attempt);
}
