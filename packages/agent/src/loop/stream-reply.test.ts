import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import type { ModelClient, ModelRequest, ModelStreamEvent } from "../model-client.ts";
import { streamReply } from "./stream-reply.ts";

/** Like the provider SDKs: every request hangs an abort listener on the signal it is given and never removes it. */
function leakyModel(): ModelClient {
  return {
    name: "leaky/model",
    family: "openai",
    contextWindow: 100_000,
    async *stream(req: ModelRequest): AsyncIterable<ModelStreamEvent> {
      req.signal?.addEventListener("abort", () => undefined);
      yield { type: "text_delta", text: "ok" };
      yield {
        type: "finish",
        usage: { inputTokens: 1, cachedInputTokens: 0, outputTokens: 1, reasoningTokens: 0 },
        stopReason: "stop",
      };
    },
  };
}

describe("streamReply", () => {
  it("does not let the SDKs pile abort listeners on the attempt's signal (no MaxListenersExceededWarning)", async () => {
    const attempt = new AbortController();
    const model = leakyModel();
    for (let step = 0; step < 25; step++)
      expect((await streamReply(model, { system: "", items: [], tools: [], signal: attempt.signal })).text).toBe("ok");
    expect(getEventListeners(attempt.signal, "abort")).toHaveLength(0);
  });

  it("still stops a request when the attempt is cancelled", async () => {
    const attempt = new AbortController();
    let seen: AbortSignal | undefined;
    const hanging: ModelClient = {
      ...leakyModel(),
      async *stream(req: ModelRequest): AsyncIterable<ModelStreamEvent> {
        seen = req.signal;
        await new Promise((resolve) => req.signal?.addEventListener("abort", resolve));
        yield { type: "text_delta", text: "late" };
      },
    };
    const reply = streamReply(hanging, { system: "", items: [], tools: [], signal: attempt.signal });
    await new Promise((resolve) => setTimeout(resolve, 10));
    attempt.abort();
    await expect(reply).rejects.toMatchObject({ kind: "cancelled" });
    expect(seen?.aborted).toBe(true);
  });
});
