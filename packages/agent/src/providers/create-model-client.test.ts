import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AttemptModel } from "@cadre/protocol";
import { startScriptedModel } from "../../../../test/support/scripted-model/index.ts";
import type { ScriptedModel } from "../../../../test/support/scripted-model/index.ts";
import { costOf } from "./pricing.ts";
import { createModelClient } from "./create-model-client.ts";
import { collect, request } from "./provider-test-suite.ts";

describe("costOf", () => {
  it("bills cached input at the cached rate", () => {
    const usage = {
      inputTokens: 1_000_000,
      cachedInputTokens: 400_000,
      outputTokens: 100_000,
      reasoningTokens: 50_000,
    };
    expect(costOf(usage, { inputPerMTok: 1, cachedInputPerMTok: 0.1, outputPerMTok: 10 })).toBeCloseTo(
      0.6 + 0.04 + 1,
      10,
    );
    expect(costOf(usage, null)).toBe(0);
  });
});

describe("createModelClient", () => {
  let server: ScriptedModel;
  beforeAll(async () => {
    server = await startScriptedModel({ script: [{ text: "resolved" }] });
  });
  afterAll(async () => {
    await server.close();
  });

  const settings = (overrides: Partial<AttemptModel>): AttemptModel => ({
    kind: "openai-responses",
    providerName: "openai",
    model: "gpt-5.1-codex",
    baseURL: server.url,
    apiKey: "test-key",
    contextWindow: 128_000,
    price: null,
    ...overrides,
  });

  it("builds each provider kind from the resolved settings and talks to the right endpoint", async () => {
    const openai = createModelClient(settings({}));
    expect([openai.name, openai.family, openai.contextWindow]).toEqual(["openai/gpt-5.1-codex", "openai", 128_000]);
    expect((await collect(openai.stream(request([{ role: "user", text: "hi" }])))).text).toBe("resolved");
    expect(server.requests.at(-1)?.path).toBe("/v1/responses");

    const anthropic = createModelClient(
      settings({ kind: "anthropic", providerName: "anthropic", model: "claude-x", contextWindow: 200_000 }),
    );
    expect(anthropic.family).toBe("anthropic");
    await collect(anthropic.stream(request([{ role: "user", text: "hi" }])));
    expect(server.requests.at(-1)?.path).toBe("/v1/messages");

    const chat = createModelClient(
      settings({
        kind: "openai-chat",
        providerName: "local",
        model: "coder",
        family: "anthropic",
        headers: { "x-team": "cadre" },
        maxOutputTokens: 999,
      }),
    );
    expect(chat.family).toBe("anthropic");
    await collect(chat.stream(request([{ role: "user", text: "hi" }])));
    const sent = server.requests.at(-1);
    expect(sent?.path).toBe("/v1/chat/completions");
    expect(sent?.headers["x-team"]).toBe("cadre");
    expect(sent?.body).toMatchObject({ model: "coder", max_tokens: 999 });
  });
});
