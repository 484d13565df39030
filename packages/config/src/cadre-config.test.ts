import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCadreConfig } from "./cadre-config.ts";
import { ConfigFileError } from "./config-file-error.ts";
import { EMPTY_MODEL_CONFIG, parseModelConfig, type ModelConfig } from "./model-config.ts";
import {
  checkModelConfigured,
  contextWindowFor,
  ModelConfigError,
  priceFor,
  resolveModelSettings,
} from "./resolve-model.ts";

describe("loadCadreConfig", () => {
  let home: string;
  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), "cadre-config-"));
  });
  afterAll(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it("treats a missing file as defaults", async () => {
    const config = await loadCadreConfig(join(home, "nope"));
    expect(config.models).toEqual({ providers: {}, models: {} });
    expect(config.budgets).toEqual({ maxSteps: 200, maxTokens: 20_000_000, maxCostUsd: 25 });
  });

  it("parses providers, models and keeps other components' keys", async () => {
    const raw = {
      defaultModel: "local/qwen3-coder",
      providers: { local: { kind: "openai-chat", baseUrl: "http://localhost:8000/v1", family: "openai" } },
      models: {
        "local/qwen3-coder": {
          contextWindow: 65536,
          price: { inputPerMTok: 0, cachedInputPerMTok: 0, outputPerMTok: 0 },
        },
      },
      server: { port: 8080 },
    };
    await writeFile(join(home, "config.json"), JSON.stringify(raw));
    const config = (await loadCadreConfig(home)).models;
    expect(config.defaultModel).toBe("local/qwen3-coder");
    expect(config.providers.local?.kind).toBe("openai-chat");
    expect(contextWindowFor(config, "local/qwen3-coder")).toBe(65536);
  });

  it("names the file and the field of an invalid setting", async () => {
    await writeFile(join(home, "config.json"), JSON.stringify({ providers: { local: { kind: "ollama" } } }));
    await expect(loadCadreConfig(home)).rejects.toThrow(/config\.json.*providers\.local\.kind/);
    await writeFile(
      join(home, "config.json"),
      JSON.stringify({ providers: { local: { kind: "openai-chat", apikey: "x" } } }),
    );
    await expect(loadCadreConfig(home)).rejects.toThrow(/providers\.local.*apikey/);
  });

  it("reports broken JSON with the file name", async () => {
    await writeFile(join(home, "config.json"), "{ nope");
    await expect(loadCadreConfig(home)).rejects.toThrow(/config\.json: not valid JSON/);
  });

  it("fails with a not_configured CadreError that says what to do", async () => {
    await writeFile(join(home, "config.json"), JSON.stringify({ budgets: { maxSteps: -1 } }));
    const error = await loadCadreConfig(home).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigFileError);
    expect(error).toMatchObject({ code: "not_configured", details: { file: join(home, "config.json") } });
    expect((error as Error).message).toMatch(/budgets\.maxSteps: .*fix the file .* and try again$/);
  });
});

describe("checkModelConfigured", () => {
  const none = {};

  it("says which settings are missing when nothing is configured", () => {
    const r = checkModelConfigured(EMPTY_MODEL_CONFIG, undefined, none);
    expect(r).toEqual({
      ok: false,
      message:
        "no model provider is configured: set OPENAI_API_KEY (and OPENAI_BASE_URL for a compatible server), set ANTHROPIC_API_KEY, or add a provider to ~/.cadre/config.json (see README: Configuring a model)",
    });
  });

  it("infers the default model from the environment", () => {
    expect(checkModelConfigured(EMPTY_MODEL_CONFIG, undefined, { OPENAI_API_KEY: "k" })).toEqual({
      ok: true,
      model: "openai/gpt-5.1-codex",
    });
    expect(checkModelConfigured(EMPTY_MODEL_CONFIG, undefined, { ANTHROPIC_API_KEY: "k" })).toEqual({
      ok: true,
      model: "anthropic/claude-sonnet-4-5",
    });
    expect(
      checkModelConfigured(EMPTY_MODEL_CONFIG, undefined, {
        OPENAI_BASE_URL: "http://127.0.0.1:9/v1",
        CADRE_MODEL: "openai/x",
      }),
    ).toEqual({ ok: true, model: "openai/x" });
  });

  it("names the key setting for a vendor API without a key", () => {
    const r = checkModelConfigured(EMPTY_MODEL_CONFIG, "anthropic/claude-sonnet-4-5", { CADRE_HOME: "/srv/cadre" });
    expect(r).toEqual({
      ok: false,
      message:
        "model anthropic/claude-sonnet-4-5 needs an API key: set ANTHROPIC_API_KEY or providers.anthropic.apiKey in /srv/cadre/config.json",
    });
  });

  it("needs no key for a local OpenAI-compatible server", () => {
    expect(checkModelConfigured(EMPTY_MODEL_CONFIG, "openai/m", { OPENAI_BASE_URL: "http://127.0.0.1:9/v1" })).toEqual({
      ok: true,
      model: "openai/m",
    });
  });

  it("rejects unknown providers, malformed names and chat providers without a URL", () => {
    const unknown = checkModelConfigured(EMPTY_MODEL_CONFIG, "groq/llama", none);
    expect(unknown.ok === false && unknown.message).toContain("add providers.groq to ~/.cadre/config.json");
    const bare = checkModelConfigured(EMPTY_MODEL_CONFIG, "gpt-5", none);
    expect(bare.ok === false && bare.message).toContain("provider/model");
    const noUrl = parseModelConfig({ providers: { local: { kind: "openai-chat" } } }, "config.json");
    const r = checkModelConfigured(noUrl, "local/m", none);
    expect(r.ok === false && r.message).toContain("providers.local.baseUrl is not set");
  });

  it("asks for defaultModel when providers exist but no model is chosen", () => {
    const config = parseModelConfig(
      { providers: { a: { kind: "openai-chat", baseUrl: "http://a/v1" }, b: { kind: "anthropic" } } },
      "config.json",
    );
    const r = checkModelConfigured(config, undefined, none);
    expect(r.ok === false && r.message).toContain("set defaultModel");
  });
});

describe("pricing and context windows", () => {
  it("uses built-in prices, dated snapshots, and config overrides", () => {
    const config: ModelConfig = {
      providers: {},
      models: { "openai/gpt-5": { price: { inputPerMTok: 1, cachedInputPerMTok: 0.5, outputPerMTok: 2 } } },
    };
    expect(priceFor(EMPTY_MODEL_CONFIG, "anthropic/claude-sonnet-4-5-20250929")).toEqual({
      inputPerMTok: 3,
      cachedInputPerMTok: 0.3,
      outputPerMTok: 15,
    });
    expect(priceFor(config, "openai/gpt-5")).toEqual({ inputPerMTok: 1, cachedInputPerMTok: 0.5, outputPerMTok: 2 });
    expect(priceFor(EMPTY_MODEL_CONFIG, "local/unknown")).toBeNull();
  });

  it("defaults context windows to 128k, 200k for Claude", () => {
    expect(contextWindowFor(EMPTY_MODEL_CONFIG, "openai/gpt-5")).toBe(128_000);
    expect(contextWindowFor(EMPTY_MODEL_CONFIG, "anthropic/claude-opus-4-5")).toBe(200_000);
  });
});

describe("resolveModelSettings", () => {
  it("throws the check message when not configured", () => {
    expect(() => resolveModelSettings(EMPTY_MODEL_CONFIG, undefined, {})).toThrow(ModelConfigError);
  });

  it("resolves each provider kind to the settings a runner needs, price included", () => {
    expect(resolveModelSettings(EMPTY_MODEL_CONFIG, undefined, { OPENAI_BASE_URL: "http://127.0.0.1:9/v1" })).toEqual({
      kind: "openai-responses",
      providerName: "openai",
      model: "gpt-5.1-codex",
      baseURL: "http://127.0.0.1:9/v1",
      apiKey: "not-needed",
      contextWindow: 128_000,
      apiKeyHint: "OPENAI_API_KEY or providers.openai.apiKey in ~/.cadre/config.json",
      baseUrlHint: "OPENAI_BASE_URL / providers.openai.baseUrl",
      price: { inputPerMTok: 1.25, cachedInputPerMTok: 0.125, outputPerMTok: 10 },
    });
    const anthropic = resolveModelSettings(EMPTY_MODEL_CONFIG, "anthropic/claude-x", { ANTHROPIC_API_KEY: "k" });
    expect([anthropic.kind, anthropic.apiKey, anthropic.contextWindow, anthropic.price]).toEqual([
      "anthropic",
      "k",
      200_000,
      null,
    ]);
    const config = parseModelConfig(
      {
        providers: {
          local: {
            kind: "openai-chat",
            baseUrl: "http://127.0.0.1:9/v1",
            family: "anthropic",
            headers: { "x-team": "cadre" },
          },
        },
        models: { "local/coder": { maxOutputTokens: 999, reasoning: { effort: "low" } } },
      },
      "config.json",
    );
    expect(resolveModelSettings(config, "local/coder", {})).toMatchObject({
      kind: "openai-chat",
      model: "coder",
      family: "anthropic",
      headers: { "x-team": "cadre" },
      maxOutputTokens: 999,
      reasoning: { effort: "low" },
    });
  });
});
