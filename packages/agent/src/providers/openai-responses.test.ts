import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startScriptedModel } from "../../../../test/support/scripted-model/index.ts";
import type { ScriptedModel } from "../../../../test/support/scripted-model/index.ts";
import type { ConversationItem } from "../model-client.ts";
import { createOpenAIResponsesClient, defaultCustomTools, defaultReasoning } from "./openai-responses.ts";
import type { ProviderSettings } from "./provider-settings.ts";
import { APPLY_PATCH, collect, commonProviderTests, PATCH, request } from "./provider-test-suite.ts";

const make = (url: string, overrides: Partial<ProviderSettings> = {}) =>
  createOpenAIResponsesClient({
    providerName: "openai",
    model: "test-model",
    baseURL: url,
    apiKey: "sk-test",
    contextWindow: 128_000,
    ...overrides,
  });

commonProviderTests("openai-responses", make, "OPENAI_API_KEY");

describe("openai-responses: request shape and custom tools", () => {
  let server: ScriptedModel;
  beforeAll(async () => {
    server = await startScriptedModel();
  });
  afterAll(async () => {
    await server.close();
  });

  it("sends instructions, store:false, function tools and the API key", async () => {
    server.setScript([{ text: "ok" }]);
    await collect(make(server.url, { customTools: false }).stream(request([{ role: "user", text: "hi" }])));
    const sent = server.requests.at(-1);
    expect(sent?.path).toBe("/v1/responses");
    expect(sent?.headers.authorization).toBe("Bearer sk-test");
    expect(sent?.body).toMatchObject({
      model: "test-model",
      instructions: "You are a test agent.",
      store: false,
      stream: true,
      input: [{ role: "user", content: "hi" }],
      tools: [
        { type: "function", name: "shell", strict: false },
        { type: "function", name: "apply_patch", parameters: { required: ["input"] } },
      ],
    });
  });

  it("round-trips apply_patch as a custom tool with the raw patch string", async () => {
    server.setScript([{ toolCalls: [{ name: "apply_patch", input: PATCH }] }, { text: "patched" }]);
    const client = make(server.url, { customTools: true });
    const items: ConversationItem[] = [{ role: "user", text: "add a file" }];
    const first = await collect(client.stream(request(items)));
    expect(first.calls).toEqual([{ callId: "call_0_0", name: "apply_patch", input: PATCH }]);
    expect(server.requests.at(-1)?.body).toMatchObject({
      tools: [
        { type: "function" },
        {
          type: "custom",
          name: "apply_patch",
          format: {
            type: "grammar",
            syntax: "lark",
            definition: APPLY_PATCH.kind === "custom" ? APPLY_PATCH.grammar?.definition : "",
          },
        },
      ],
    });
    items.push(
      { role: "assistant", text: "", toolCalls: first.calls },
      { role: "tool", callId: "call_0_0", name: "apply_patch", output: "Done!" },
    );
    const second = await collect(client.stream(request(items)));
    expect(second.text).toBe("patched");
    const input = (server.requests.at(-1)?.body as { input: unknown[] }).input;
    expect(input.slice(1)).toEqual([
      { type: "custom_tool_call", call_id: "call_0_0", name: "apply_patch", input: PATCH },
      { type: "custom_tool_call_output", call_id: "call_0_0", output: "Done!" },
    ]);
  });

  it("wraps custom tools as { input } functions when custom tools are off", async () => {
    server.setScript([{ toolCalls: [{ name: "apply_patch", input: PATCH }] }, { text: "ok" }]);
    const client = make(server.url, { customTools: false });
    const items: ConversationItem[] = [{ role: "user", text: "patch" }];
    const first = await collect(client.stream(request(items)));
    expect(first.calls[0]?.input).toBe(PATCH);
    items.push(
      { role: "assistant", text: "", toolCalls: first.calls },
      { role: "tool", callId: "call_0_0", name: "apply_patch", output: "Done!" },
    );
    await collect(client.stream(request(items)));
    const input = (server.requests.at(-1)?.body as { input: unknown[] }).input;
    expect(input[1]).toEqual({
      type: "function_call",
      call_id: "call_0_0",
      name: "apply_patch",
      arguments: JSON.stringify({ input: PATCH }),
    });
    expect(input[2]).toEqual({ type: "function_call_output", call_id: "call_0_0", output: "Done!" });
  });

  it("sends configured reasoning settings", async () => {
    server.setScript([{ text: "ok" }]);
    await collect(
      make(server.url, { reasoning: { effort: "high", summary: "auto" } }).stream(
        request([{ role: "user", text: "hi" }]),
      ),
    );
    expect(server.requests.at(-1)?.body).toMatchObject({ reasoning: { effort: "high", summary: "auto" } });
    expect(defaultReasoning(undefined, "gpt-5.1-codex")).toEqual({ summary: "auto" });
    expect(defaultReasoning(undefined, "gpt-4.1")).toBeUndefined();
    expect(defaultReasoning("http://localhost:8000/v1", "gpt-5")).toBeUndefined();
  });

  it("uses custom tools by default only on api.openai.com", () => {
    expect(defaultCustomTools(undefined)).toBe(true);
    expect(defaultCustomTools("https://api.openai.com/v1")).toBe(true);
    expect(defaultCustomTools("http://localhost:8000/v1")).toBe(false);
  });
});
