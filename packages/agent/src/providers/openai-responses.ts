import { OpenAI } from "openai";
import type { ResponseInputItem, ResponseStreamEvent, ResponseUsage, Tool } from "openai/resources/responses/responses";
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

const OPENAI_URL = "https://api.openai.com/v1";

/** Free-form custom tools are an api.openai.com feature; compatible servers get functions. */
export function defaultCustomTools(baseURL: string | undefined): boolean {
  if (!baseURL) return true;
  try {
    return new URL(baseURL).hostname === "api.openai.com";
  } catch {
    return false;
  }
}

/** OpenAI's reasoning models only stream reasoning text when summaries are requested. */
export function defaultReasoning(baseURL: string | undefined, model: string): ProviderSettings["reasoning"] {
  return defaultCustomTools(baseURL) && /^(gpt-5|o\d)/.test(model) ? { summary: "auto" } : undefined;
}

export function responsesTools(tools: ToolSpec[], customTools: boolean): Tool[] {
  return tools.map((t): Tool => {
    if (t.kind === "function")
      return { type: "function", name: t.name, description: t.description, parameters: t.parameters, strict: false };
    if (!customTools)
      return {
        type: "function",
        name: t.name,
        description: t.description,
        parameters: wrappedCustomParameters(t),
        strict: false,
      };
    const format = t.grammar
      ? { type: "grammar" as const, syntax: "lark" as const, definition: t.grammar.definition }
      : undefined;
    return { type: "custom", name: t.name, description: t.description, ...(format ? { format } : {}) };
  });
}

export function responsesInput(
  items: ConversationItem[],
  tools: ToolSpec[],
  customTools: boolean,
): ResponseInputItem[] {
  const asCustom = (name: string): boolean => customTools && isCustomTool(tools, name);
  const out: ResponseInputItem[] = [];
  for (const item of items) {
    if (item.role === "user") out.push({ role: "user", content: item.text });
    else if (item.role === "assistant") {
      if (item.text) out.push({ role: "assistant", content: item.text });
      for (const call of item.toolCalls) {
        if (asCustom(call.name))
          out.push({
            type: "custom_tool_call",
            call_id: call.callId,
            name: call.name,
            input: unwrapCustomInput(call.input),
          });
        else
          out.push({
            type: "function_call",
            call_id: call.callId,
            name: call.name,
            arguments: argumentsJson(tools, call.name, call.input),
          });
      }
    } else if (asCustom(item.name))
      out.push({ type: "custom_tool_call_output", call_id: item.callId, output: item.output });
    else out.push({ type: "function_call_output", call_id: item.callId, output: item.output });
  }
  return out;
}

function mapUsage(usage: ResponseUsage | null | undefined): Extract<ModelStreamEvent, { type: "finish" }>["usage"] {
  return {
    inputTokens: usage?.input_tokens ?? 0,
    cachedInputTokens: usage?.input_tokens_details?.cached_tokens ?? 0,
    outputTokens: usage?.output_tokens ?? 0,
    reasoningTokens: usage?.output_tokens_details?.reasoning_tokens ?? 0,
  };
}

/** Translates one Responses SSE event; returns the events to yield and whether the reply is over. */
function translate(event: ResponseStreamEvent, req: ModelRequest, state: { toolCalls: number }): ModelStreamEvent[] {
  switch (event.type) {
    case "response.output_text.delta":
      return [{ type: "text_delta", text: event.delta }];
    case "response.reasoning_summary_text.delta":
    case "response.reasoning_text.delta":
      return [{ type: "reasoning_delta", text: event.delta }];
    case "response.output_item.done": {
      const item = event.item;
      if (item.type === "function_call") {
        state.toolCalls++;
        const args = parseArguments(item.arguments);
        const input = isCustomTool(req.tools, item.name) ? unwrapCustomInput(args) : args;
        return [{ type: "tool_call", call: { callId: item.call_id, name: item.name, input } }];
      }
      if (item.type === "custom_tool_call") {
        state.toolCalls++;
        return [{ type: "tool_call", call: { callId: item.call_id, name: item.name, input: item.input } }];
      }
      return [];
    }
    case "response.completed":
      return [
        {
          type: "finish",
          usage: mapUsage(event.response.usage),
          stopReason: normalizeStopReason("completed", state.toolCalls > 0),
        },
      ];
    case "response.incomplete": {
      const reason = event.response.incomplete_details?.reason ?? "incomplete";
      return [
        { type: "finish", usage: mapUsage(event.response.usage), stopReason: normalizeStopReason(reason, false) },
      ];
    }
    case "response.failed": {
      const err = event.response.error;
      throw new OpenAI.APIError(
        undefined,
        { code: err?.code ?? "server_error", message: err?.message ?? "the response failed" },
        err?.message ?? "the response failed",
        undefined,
      );
    }
    case "error":
      throw new OpenAI.APIError(undefined, { code: event.code, message: event.message }, event.message, undefined);
    default:
      return [];
  }
}

export function createOpenAIResponsesClient(settings: ProviderSettings): ModelClient {
  const baseURL = settings.baseURL ?? OPENAI_URL;
  const customTools = settings.customTools ?? defaultCustomTools(settings.baseURL);
  const reasoning = settings.reasoning ?? defaultReasoning(settings.baseURL, settings.model);
  // Retries are ours (observable, and never after output was streamed).
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
    const stream = await client.responses.create(
      {
        model: settings.model,
        instructions: req.system,
        input: responsesInput(req.items, req.tools, customTools),
        tools: responsesTools(req.tools, customTools),
        store: false,
        stream: true,
        ...(settings.maxOutputTokens ? { max_output_tokens: settings.maxOutputTokens } : {}),
        ...(reasoning ? { reasoning } : {}),
      },
      { signal: req.signal },
    );
    const state = { toolCalls: 0 };
    for await (const event of stream) {
      for (const out of translate(event, req, state)) {
        yield out;
        if (out.type === "finish") return;
      }
    }
    // The SDK ends the iteration quietly when aborted.
    if (req.signal?.aborted) throw new ModelError("cancelled", "the model request was cancelled");
    throw new ModelError("server", `the stream from ${baseURL} ended before the response completed`);
  }

  return retryingClient({ name, settings, family: "openai", ctx }, attempt);
}
