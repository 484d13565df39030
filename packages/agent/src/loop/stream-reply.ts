import type { Usage } from "@cadre/protocol";
import type { ModelClient, ModelRequest, ToolCall } from "../model-client.ts";
import { ModelError } from "../model-client.ts";

export interface ModelReply {
  text: string;
  reasoning: string;
  toolCalls: ToolCall[];
  usage: Omit<Usage, "costUsd">;
  stopReason: string;
}

const NO_USAGE: Omit<Usage, "costUsd"> = { inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, reasoningTokens: 0 };

/**
 * Streams one model reply to completion. Stops promptly on abort even if the provider does not
 * honour the signal, throwing ModelError "cancelled".
 */
export async function streamReply(
  model: ModelClient,
  req: ModelRequest & { signal: AbortSignal },
): Promise<ModelReply> {
  const reply: ModelReply = { text: "", reasoning: "", toolCalls: [], usage: NO_USAGE, stopReason: "" };
  const signal = req.signal;
  const cancelled = (): ModelError => new ModelError("cancelled", "The run was cancelled.");
  if (signal.aborted) throw cancelled();
  // The provider SDKs hang an abort listener on the signal of every request and never take it off;
  // on the attempt's long-lived signal they would pile up (MaxListenersExceededWarning after ten
  // steps). Each request gets its own signal, linked to the attempt's only while it runs.
  const request = new AbortController();
  const iterator = model.stream({ ...req, signal: request.signal })[Symbol.asyncIterator]();
  let onAbort: (() => void) | null = null;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => {
      request.abort();
      reject(cancelled());
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
  // Keep an unobserved rejection from surfacing when no race is pending.
  aborted.catch(() => undefined);
  try {
    for (;;) {
      const next = await Promise.race([iterator.next(), aborted]);
      if (next.done) break;
      const ev = next.value;
      switch (ev.type) {
        case "text_delta":
          reply.text += ev.text;
          break;
        case "reasoning_delta":
          reply.reasoning += ev.text;
          break;
        case "tool_call":
          reply.toolCalls.push(ev.call);
          break;
        case "finish":
          reply.usage = ev.usage;
          reply.stopReason = ev.stopReason;
          break;
      }
    }
  } catch (err) {
    if (signal.aborted) {
      void iterator.return?.().catch(() => undefined);
      throw cancelled();
    }
    throw err;
  } finally {
    if (onAbort) signal.removeEventListener("abort", onAbort);
  }
  return reply;
}
