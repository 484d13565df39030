import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startScriptedModel } from "../../../../test/support/scripted-model/index.ts";
import type { ScriptedModel } from "../../../../test/support/scripted-model/index.ts";
import type { ConversationItem } from "../model-client.ts";
import { createOpenAIChatClient } from "./openai-chat.ts";
import type { ProviderSettings } from "./provider-settings.ts";
import { collect, commonProviderTests, PATCH, request } from "./provider-test-suite.ts";

const make = (url: string, overrides: Partial<ProviderSettings> = {}) =>
  createOpenAIChatClient({
    providerName: "local",
    model: "test-model",
    baseURL: url,
    apiKey: "sk-local",
    contextWindow: 32_000,
    ...overrides,
  });

commonProviderTests("openai-chat", make, "providers.local.apiKey");

describe("openai-chat: request shape and tool calls", () => {
  let server: ScriptedModel;
  beforeAll(async () => {
    server = await startScriptedModel();
  });
  afterAll(async () => {
    await server.close();
  });

  it("streams with usage requested and sends the system prompt as a message", async () => {
    server.setScript([{ text: "ok" }]);
    const client = make(server.url);
    expect(client.family).toBe("openai");
    expect(make(server.url, { family: "anthropic" }).family).toBe("anthropic");
    await collect(client.stream(request([{ role: "user", text: "hi" }])));
    expect(server.requests.at(-1)?.body).toMatchObject({
      model: "test-model",
      stream: true,
      stream_options: { include_usage: true },
      messages: [
        { role: "system", content: "You are a test agent." },
        { role: "user", content: "hi" },
      ],
      tools: [
        { type: "function", function: { name: "shell" } },
        { type: "function", function: { name: "apply_patch", parameters: { type: "object", required: ["input"] } } },
      ],
    });
  });

  it("assembles several streamed tool calls by index", async () => {
    const long = { cmd: "echo " + "y".repeat(600) };
    server.setScript([
      {
        toolCalls: [
          { name: "shell", input: long },
          { name: "shell", input: { cmd: "pwd" } },
        ],
      },
    ]);
    const r = await collect(make(server.url).stream(request([{ role: "user", text: "go" }])));
    expect(r.calls).toEqual([
      { callId: "call_0_0", name: "shell", input: long },
      { callId: "call_0_1", name: "shell", input: { cmd: "pwd" } },
    ]);
    expect(r.finish?.stopReason).toBe("tool_calls");
  });

  it("round-trips apply_patch as an { input } function", async () => {
    server.setScript([{ toolCalls: [{ name: "apply_patch", input: PATCH }] }, { text: "done patching" }]);
    const client = make(server.url);
    const items: ConversationItem[] = [{ role: "user", text: "patch" }];
    const first = await collect(client.stream(request(items)));
    expect(first.calls).toEqual([{ callId: "call_0_0", name: "apply_patch", input: PATCH }]);
    items.push(
      { role: "assistant", text: "", toolCalls: first.calls },
      { role: "tool", callId: "call_0_0", name: "apply_patch", output: "Done!" },
    );
    const second = await collect(client.stream(request(items)));
    expect(second.text).toBe("done patching");
    const messages = (server.requests.at(-1)?.body as { messages: unknown[] }).messages;
    expect(messages.slice(2)).toEqual([
      {
        role: "assistant",
        content: null,
        tool_calls: [
          {
            id: "call_0_0",
            type: "function",
            function: { name: "apply_patch", arguments: JSON.stringify({ input: PATCH }) },
          },
        ],
      },
      { role: "tool", tool_call_id: "call_0_0", content: "Done!" },
    ]);
  });
});
