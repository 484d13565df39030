import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startScriptedModel } from "../../../../test/support/scripted-model/index.ts";
import type { ScriptedModel } from "../../../../test/support/scripted-model/index.ts";
import type { ConversationItem } from "../model-client.ts";
import { anthropicBaseURL, createAnthropicClient } from "./anthropic-messages.ts";
import type { ProviderSettings } from "./provider-settings.ts";
import { collect, commonProviderTests, PATCH, request } from "./provider-test-suite.ts";

const make = (url: string, overrides: Partial<ProviderSettings> = {}) =>
  createAnthropicClient({
    providerName: "anthropic",
    model: "test-model",
    baseURL: url,
    apiKey: "sk-ant-test",
    contextWindow: 200_000,
    ...overrides,
  });

commonProviderTests("anthropic-messages", make, "ANTHROPIC_API_KEY");

describe("anthropic-messages: request shape and tool blocks", () => {
  let server: ScriptedModel;
  beforeAll(async () => {
    server = await startScriptedModel();
  });
  afterAll(async () => {
    await server.close();
  });

  it("sends system, max_tokens, tools with input_schema and the key", async () => {
    server.setScript([{ text: "ok" }]);
    const client = make(server.url);
    expect(client.family).toBe("anthropic");
    await collect(client.stream(request([{ role: "user", text: "hi" }])));
    const sent = server.requests.at(-1);
    expect(sent?.path).toBe("/v1/messages");
    // SDK 1.x sends the key as a bearer token; older ones used x-api-key.
    expect([sent?.headers["x-api-key"], sent?.headers.authorization]).toContainEqual(
      expect.stringContaining("sk-ant-test"),
    );
    expect(sent?.body).toMatchObject({
      model: "test-model",
      max_tokens: 8192,
      stream: true,
      system: [{ type: "text", text: "You are a test agent." }],
      tools: [
        { name: "shell", input_schema: { type: "object" } },
        { name: "apply_patch", input_schema: { type: "object", required: ["input"] } },
      ],
      messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }],
    });
  });

  it("uses maxOutputTokens from config", async () => {
    server.setScript([{ text: "ok" }]);
    await collect(make(server.url, { maxOutputTokens: 1234 }).stream(request([{ role: "user", text: "hi" }])));
    expect(server.requests.at(-1)?.body).toMatchObject({ max_tokens: 1234 });
  });

  it("groups consecutive tool results into one user message and round-trips apply_patch as { input }", async () => {
    server.setScript([
      {
        toolCalls: [
          { name: "apply_patch", input: PATCH },
          { name: "shell", input: { cmd: "ls" } },
        ],
      },
      { text: "all done" },
    ]);
    const client = make(server.url);
    const items: ConversationItem[] = [{ role: "user", text: "work" }];
    const first = await collect(client.stream(request(items)));
    expect(first.calls).toEqual([
      { callId: "call_0_0", name: "apply_patch", input: PATCH },
      { callId: "call_0_1", name: "shell", input: { cmd: "ls" } },
    ]);
    expect(first.finish?.stopReason).toBe("tool_calls");
    items.push(
      { role: "assistant", text: "Working.", toolCalls: first.calls },
      { role: "tool", callId: "call_0_0", name: "apply_patch", output: "Done!" },
      { role: "tool", callId: "call_0_1", name: "shell", output: "a.txt" },
    );
    const second = await collect(client.stream(request(items)));
    expect(second.text).toBe("all done");
    const messages = (server.requests.at(-1)?.body as { messages: unknown[] }).messages;
    expect(messages).toHaveLength(3);
    expect(messages[1]).toEqual({
      role: "assistant",
      content: [
        { type: "text", text: "Working." },
        { type: "tool_use", id: "call_0_0", name: "apply_patch", input: { input: PATCH } },
        { type: "tool_use", id: "call_0_1", name: "shell", input: { cmd: "ls" } },
      ],
    });
    expect(messages[2]).toMatchObject({
      role: "user",
      content: [
        { type: "tool_result", tool_use_id: "call_0_0", content: "Done!" },
        { type: "tool_result", tool_use_id: "call_0_1", content: "a.txt" },
      ],
    });
  });

  it("accepts base URLs with or without /v1", () => {
    expect(anthropicBaseURL("http://h:1/v1")).toBe("http://h:1");
    expect(anthropicBaseURL("http://h:1/")).toBe("http://h:1");
    expect(anthropicBaseURL(undefined)).toBe("https://api.anthropic.com");
  });
});
