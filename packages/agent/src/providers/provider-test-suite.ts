/** Behaviour every provider shares, run by each provider's test file against the scripted server. */
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lastToolResult, startScriptedModel } from "../../../../test/support/scripted-model/index.ts";
import type { ScriptedModel } from "../../../../test/support/scripted-model/index.ts";
import { ModelError } from "../model-client.ts";
import type {
  ConversationItem,
  ModelClient,
  ModelRequest,
  ModelStreamEvent,
  ToolCall,
  ToolSpec,
} from "../model-client.ts";
import type { ProviderSettings } from "./provider-settings.ts";

export type MakeClient = (url: string, overrides?: Partial<ProviderSettings>) => ModelClient;

export const SHELL: ToolSpec = {
  kind: "function",
  name: "shell",
  description: "Run a command",
  parameters: { type: "object", properties: { cmd: { type: "string" } }, required: ["cmd"] },
};
export const APPLY_PATCH: ToolSpec = {
  kind: "custom",
  name: "apply_patch",
  description: "Apply a patch",
  grammar: { syntax: "lark", definition: 'start: "*** Begin Patch" /(.|\\n)*/' },
};
export const PATCH = '*** Begin Patch\n*** Add File: a.txt\n+hello "quoted"\n*** End Patch\n';

export interface Collected {
  text: string;
  reasoning: string;
  calls: ToolCall[];
  finish: Extract<ModelStreamEvent, { type: "finish" }> | undefined;
}

export async function collect(stream: AsyncIterable<ModelStreamEvent>): Promise<Collected> {
  const out: Collected = { text: "", reasoning: "", calls: [], finish: undefined };
  for await (const e of stream) {
    if (e.type === "text_delta") out.text += e.text;
    else if (e.type === "reasoning_delta") out.reasoning += e.text;
    else if (e.type === "tool_call") out.calls.push(e.call);
    else out.finish = e;
  }
  return out;
}

export async function failure(stream: AsyncIterable<ModelStreamEvent>): Promise<ModelError> {
  try {
    await collect(stream);
  } catch (err) {
    if (err instanceof ModelError) return err;
    throw err;
  }
  throw new Error("expected the stream to fail");
}

export function request(
  items: ConversationItem[],
  tools: ToolSpec[] = [SHELL, APPLY_PATCH],
  signal?: AbortSignal,
): ModelRequest {
  return { system: "You are a test agent.", items, tools, signal };
}

/** A local URL nothing listens on. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 9;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/v1`;
}

export function commonProviderTests(label: string, makeClient: MakeClient, keySetting: string): void {
  describe(`${label}: shared behaviour`, () => {
    let server: ScriptedModel;
    beforeAll(async () => {
      server = await startScriptedModel();
    });
    afterAll(async () => {
      await server.close();
    });

    it("streams a text reply and reports usage", async () => {
      server.setScript([
        {
          text: "Hello from the scripted model, ".repeat(5),
          usage: { input: 1200, cached: 300, output: 40, reasoning: 7 },
        },
      ]);
      const r = await collect(makeClient(server.url).stream(request([{ role: "user", text: "hi" }])));
      expect(r.text).toBe("Hello from the scripted model, ".repeat(5));
      expect(r.calls).toEqual([]);
      expect(r.finish?.usage).toEqual({
        inputTokens: 1200,
        cachedInputTokens: 300,
        outputTokens: 40,
        reasoningTokens: 7,
      });
      expect(r.finish?.stopReason).toBe("stop");
    });

    it("defaults input usage to the request size", async () => {
      server.setScript([{ text: "ok" }]);
      const big = "x".repeat(40_000);
      const r = await collect(makeClient(server.url).stream(request([{ role: "user", text: big }])));
      expect(r.finish?.usage.inputTokens).toBeGreaterThan(10_000);
    });

    it("returns a function tool call with parsed JSON arguments", async () => {
      server.setScript([{ text: "Listing.", toolCalls: [{ name: "shell", input: { cmd: "ls -la" } }] }]);
      const r = await collect(makeClient(server.url).stream(request([{ role: "user", text: "list files" }])));
      expect(r.calls).toEqual([{ callId: "call_0_0", name: "shell", input: { cmd: "ls -la" } }]);
      expect(r.text).toBe("Listing.");
      expect(r.finish?.stopReason).toBe("tool_calls");
    });

    it("feeds tool results back and advances lanes and steps", async () => {
      server.setScript(({ step, request: req }) =>
        step === 0
          ? { toolCalls: [{ name: "shell", input: { cmd: "cat f" } }] }
          : { text: `saw: ${lastToolResult(req) ?? "nothing"}` },
      );
      const client = makeClient(server.url);
      const items: ConversationItem[] = [{ role: "user", text: "read f" }];
      const first = await collect(client.stream(request(items)));
      expect(first.calls).toHaveLength(1);
      const call = first.calls[0] as ToolCall;
      items.push({ role: "assistant", text: first.text, toolCalls: first.calls });
      items.push({ role: "tool", callId: call.callId, name: call.name, output: "file contents 42" });
      const second = await collect(client.stream(request(items)));
      expect(second.text).toBe("saw: file contents 42");
      // A fresh conversation is a new lane.
      const third = await collect(client.stream(request([{ role: "user", text: "again" }])));
      expect(third.calls[0]?.callId).toBe("call_1_0");
      const recorded = server.requests.slice(-3).map((r) => [r.lane, r.step]);
      expect(recorded).toEqual([
        [0, 0],
        [0, 1],
        [1, 0],
      ]);
    });

    it("retries a 429 after the Retry-After wait, then succeeds", async () => {
      server.setScript([{ error: { status: 429, headers: { "retry-after": "1" } } }, { text: "after the wait" }]);
      const waits: number[] = [];
      const kinds: string[] = [];
      const client = makeClient(server.url, {
        sleep: async (ms) => void waits.push(ms),
        onRetry: ({ error }) => void kinds.push(error.kind),
      });
      const r = await collect(client.stream(request([{ role: "user", text: "hi" }])));
      expect(r.text).toBe("after the wait");
      expect(kinds).toEqual(["rate_limited"]);
      expect(waits).toHaveLength(1);
      expect(waits[0]).toBeGreaterThanOrEqual(1000);
    });

    it("retries a 500 with backoff", async () => {
      server.setScript([{ error: { status: 500 } }, { error: { status: 500 } }, { text: "recovered" }]);
      const waits: number[] = [];
      const client = makeClient(server.url, { sleep: async (ms) => void waits.push(ms), random: () => 0.5 });
      const r = await collect(client.stream(request([{ role: "user", text: "hi" }])));
      expect(r.text).toBe("recovered");
      expect(waits).toEqual([500, 1000]);
    });

    it("gives up after maxRetries with a server error", async () => {
      server.setScript(() => ({ error: { status: 500 } }));
      const client = makeClient(server.url, { maxRetries: 2, sleep: async () => undefined });
      const before = server.requests.length;
      const err = await failure(client.stream(request([{ role: "user", text: "hi" }])));
      expect(err.kind).toBe("server");
      expect(server.requests.length - before).toBe(3);
    });

    it("maps 401 to an auth error naming the key setting", async () => {
      server.setScript([{ error: { status: 401 } }]);
      const err = await failure(makeClient(server.url).stream(request([{ role: "user", text: "hi" }])));
      expect(err.kind).toBe("auth");
      expect(err.message).toContain(keySetting);
      expect(err.message).toContain("401");
    });

    it("maps 404 to model_not_found naming the model and server", async () => {
      server.setScript([{ error: { status: 404 } }]);
      const err = await failure(makeClient(server.url).stream(request([{ role: "user", text: "hi" }])));
      expect(err.kind).toBe("model_not_found");
      expect(err.message).toContain("test-model");
      expect(err.message).toContain("127.0.0.1");
    });

    it("maps a context-length error to context_overflow without retrying", async () => {
      server.setScript([{ error: { status: 400, code: "context_length_exceeded" } }]);
      const before = server.requests.length;
      const err = await failure(makeClient(server.url).stream(request([{ role: "user", text: "hi" }])));
      expect(err.kind).toBe("context_overflow");
      expect(server.requests.length - before).toBe(1);
    });

    it("reports an unreachable server with the base URL setting", async () => {
      const url = await closedPortUrl();
      const err = await failure(
        makeClient(url, { sleep: async () => undefined }).stream(request([{ role: "user", text: "hi" }])),
      );
      expect(err.kind).toBe("unreachable");
      expect(err.message).toContain("127.0.0.1");
      expect(err.message).toMatch(/baseUrl|BASE_URL/);
    });

    it("is cancelled by the abort signal", async () => {
      server.setScript([{ text: "slow", delayMs: 5_000 }]);
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 20);
      const err = await failure(
        makeClient(server.url).stream(request([{ role: "user", text: "hi" }], [SHELL], controller.signal)),
      );
      expect(err.kind).toBe("cancelled");
    });

    it("streams reasoning", async () => {
      server.setScript([{ reasoning: "thinking hard", text: "answer" }]);
      const r = await collect(makeClient(server.url).stream(request([{ role: "user", text: "hi" }])));
      expect(r.reasoning).toBe("thinking hard");
      expect(r.text).toBe("answer");
    });
  });
}
