import type { Usage } from "@cadre/protocol";
import type { ModelClient, ModelRequest, ModelStreamEvent, ToolCall } from "../model-client.ts";
import type { ModelError } from "../model-client.ts";

/** One scripted model reply. */
export interface FakeReply {
  text?: string;
  reasoning?: string;
  toolCalls?: Array<Omit<ToolCall, "callId"> & { callId?: string }>;
  usage?: Partial<Omit<Usage, "costUsd">>;
  /** Thrown instead of replying. */
  error?: ModelError;
  /** Never finishes until the request's signal aborts (to test cancellation). */
  hang?: boolean;
}

export interface FakeModel extends ModelClient {
  /** Every request received, in order. */
  readonly requests: ModelRequest[];
}

/**
 * An in-process ModelClient replaying scripted replies in order (a function reply sees the
 * request). Running out of script is a test bug and throws.
 */
export function fakeModel(
  script: Array<FakeReply | ((req: ModelRequest) => FakeReply)>,
  opts: { name?: string; family?: ModelClient["family"]; contextWindow?: number } = {},
): FakeModel {
  const requests: ModelRequest[] = [];
  let n = 0;
  let callSeq = 0;
  return {
    name: opts.name ?? "fake/model",
    family: opts.family ?? "openai",
    contextWindow: opts.contextWindow ?? 200_000,
    requests,
    async *stream(req: ModelRequest): AsyncIterable<ModelStreamEvent> {
      requests.push(structuredClone({ ...req, signal: undefined }));
      const entry = script[n++];
      if (!entry) throw new Error(`fake model: no scripted reply for request ${n}`);
      const reply = typeof entry === "function" ? entry(req) : entry;
      if (reply.error) throw reply.error;
      if (reply.hang) {
        await new Promise<void>((resolve) => req.signal?.addEventListener("abort", () => resolve(), { once: true }));
        return;
      }
      if (reply.reasoning) yield { type: "reasoning_delta", text: reply.reasoning };
      if (reply.text) yield { type: "text_delta", text: reply.text };
      for (const c of reply.toolCalls ?? [])
        yield { type: "tool_call", call: { callId: c.callId ?? `call_${++callSeq}`, name: c.name, input: c.input } };
      yield {
        type: "finish",
        usage: { inputTokens: 100, cachedInputTokens: 0, outputTokens: 10, reasoningTokens: 0, ...reply.usage },
        stopReason: (reply.toolCalls?.length ?? 0) > 0 ? "tool_use" : "stop",
      };
    },
  };
}
