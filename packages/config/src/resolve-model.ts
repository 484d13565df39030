import { join } from "node:path";
import { CadreError, type AttemptModel, type Price } from "@cadre/protocol";
import { defaultPrice } from "./default-prices.ts";
import type { ModelConfig, ProviderConfig } from "./model-config.ts";

export type Env = Readonly<Record<string, string | undefined>>;

export const DEFAULT_OPENAI_MODEL = "gpt-5.1-codex";
export const DEFAULT_ANTHROPIC_MODEL = "claude-sonnet-4-5";
const DEFAULT_CONTEXT_WINDOW = 128_000;
const CLAUDE_CONTEXT_WINDOW = 200_000;

/** The configuration cannot produce a model: the message names the setting to change. */
export class ModelConfigError extends CadreError {
  constructor(message: string) {
    super("not_configured", message);
    this.name = "ModelConfigError";
  }
}

interface BuiltIn {
  kind: ProviderConfig["kind"];
  keyEnv: string;
  urlEnv: string;
  officialHost: string;
}

/** Providers that work from environment variables alone. */
const BUILT_INS: Record<string, BuiltIn> = {
  openai: {
    kind: "openai-responses",
    keyEnv: "OPENAI_API_KEY",
    urlEnv: "OPENAI_BASE_URL",
    officialHost: "api.openai.com",
  },
  anthropic: {
    kind: "anthropic",
    keyEnv: "ANTHROPIC_API_KEY",
    urlEnv: "ANTHROPIC_BASE_URL",
    officialHost: "api.anthropic.com",
  },
};

function configPath(env: Env): string {
  return env.CADRE_HOME ? join(env.CADRE_HOME, "config.json") : "~/.cadre/config.json";
}

interface ResolvedProvider {
  config: ProviderConfig;
  baseUrl: string | undefined;
  apiKey: string | undefined;
  keyRequired: boolean;
  keyHint: string;
  urlHint: string;
}

function hostOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}

function resolveProvider(config: ModelConfig, name: string, env: Env): ResolvedProvider | undefined {
  const builtIn = BUILT_INS[name];
  const configured = config.providers[name];
  if (!builtIn && !configured) return undefined;
  const merged: ProviderConfig = { kind: builtIn?.kind ?? "openai-chat", ...configured };
  const keyEnv = merged.apiKeyEnv ?? builtIn?.keyEnv;
  const baseUrl = merged.baseUrl ?? (builtIn ? env[builtIn.urlEnv] || undefined : undefined);
  const apiKey = merged.apiKey ?? (keyEnv ? env[keyEnv] || undefined : undefined);
  const file = configPath(env);
  // Local servers (vLLM, Ollama, the scripted model) usually take no key; the vendors' own APIs do.
  const host = hostOf(baseUrl);
  const keyRequired =
    merged.kind === "openai-chat"
      ? false
      : !baseUrl || host === "api.openai.com" || host === "api.anthropic.com" || host === builtIn?.officialHost;
  return {
    config: merged,
    baseUrl,
    apiKey,
    keyRequired,
    keyHint: keyEnv
      ? `${keyEnv} or providers.${name}.apiKey in ${file}`
      : `providers.${name}.apiKey (or providers.${name}.apiKeyEnv) in ${file}`,
    urlHint: builtIn ? `${builtIn.urlEnv} / providers.${name}.baseUrl` : `providers.${name}.baseUrl in ${file}`,
  };
}

/** How to reach a provider (for listing its models), or undefined for an unknown provider. */
export function providerEndpoint(
  config: ModelConfig,
  name: string,
  env: Env,
):
  | {
      kind: ProviderConfig["kind"];
      baseUrl: string | undefined;
      apiKey: string | undefined;
      headers: Record<string, string> | undefined;
    }
  | undefined {
  const p = resolveProvider(config, name, env);
  return p && { kind: p.config.kind, baseUrl: p.baseUrl, apiKey: p.apiKey, headers: p.config.headers };
}

export function splitModel(model: string): { provider: string; id: string } | undefined {
  const slash = model.indexOf("/");
  if (slash <= 0 || slash === model.length - 1) return undefined;
  return { provider: model.slice(0, slash), id: model.slice(slash + 1) };
}

function inferDefaultModel(config: ModelConfig, env: Env): string | undefined {
  if (env.OPENAI_API_KEY || env.OPENAI_BASE_URL || config.providers.openai) return `openai/${DEFAULT_OPENAI_MODEL}`;
  if (env.ANTHROPIC_API_KEY || env.ANTHROPIC_BASE_URL || config.providers.anthropic)
    return `anthropic/${DEFAULT_ANTHROPIC_MODEL}`;
  // A single configured provider with a single configured model needs no defaultModel.
  const models = Object.keys(config.models);
  if (Object.keys(config.providers).length === 1 && models.length === 1) return models[0];
  return undefined;
}

export type ModelCheck = { ok: true; model: string } | { ok: false; message: string };

/**
 * Whether a model can be used, without contacting it. The model is `name`, else `CADRE_MODEL`,
 * else config `defaultModel`, else inferred from which API keys are set.
 */
export function checkModelConfigured(config: ModelConfig, name: string | undefined, env: Env): ModelCheck {
  const file = configPath(env);
  const model = name || env.CADRE_MODEL || config.defaultModel || inferDefaultModel(config, env);
  if (!model) {
    if (Object.keys(config.providers).length > 0) {
      return {
        ok: false,
        message: `no default model is set: set defaultModel ("provider/model") in ${file} or pass a model`,
      };
    }
    return {
      ok: false,
      message: `no model provider is configured: set OPENAI_API_KEY (and OPENAI_BASE_URL for a compatible server), set ANTHROPIC_API_KEY, or add a provider to ${file} (see README: Configuring a model)`,
    };
  }
  const parts = splitModel(model);
  if (!parts)
    return {
      ok: false,
      message: `model "${model}" must be written provider/model, e.g. openai/${DEFAULT_OPENAI_MODEL} or anthropic/${DEFAULT_ANTHROPIC_MODEL}`,
    };
  const provider = resolveProvider(config, parts.provider, env);
  if (!provider) {
    return {
      ok: false,
      message: `unknown model provider "${parts.provider}" in "${model}": add providers.${parts.provider} to ${file}, or use openai/… or anthropic/…`,
    };
  }
  if (provider.config.kind === "openai-chat" && !provider.baseUrl) {
    return {
      ok: false,
      message: `providers.${parts.provider}.baseUrl is not set in ${file}: an openai-chat provider needs its server URL, e.g. http://localhost:8000/v1`,
    };
  }
  if (provider.keyRequired && !provider.apiKey)
    return { ok: false, message: `model ${model} needs an API key: set ${provider.keyHint}` };
  return { ok: true, model };
}

export function contextWindowFor(config: ModelConfig, model: string): number {
  const configured = config.models[model]?.contextWindow;
  if (configured) return configured;
  return (splitModel(model)?.id ?? model).startsWith("claude") ? CLAUDE_CONTEXT_WINDOW : DEFAULT_CONTEXT_WINDOW;
}

/** Configured price first, then the built-in table; null when unknown (cost then counts as 0). */
export function priceFor(config: ModelConfig, model: string): Price | null {
  return config.models[model]?.price ?? defaultPrice(splitModel(model)?.id ?? model);
}

/**
 * The settings a runner needs to call `name` (or the default model) for one attempt; throws
 * ModelConfigError naming the missing setting.
 */
export function resolveModelSettings(config: ModelConfig, name: string | undefined, env: Env): AttemptModel {
  const check = checkModelConfigured(config, name, env);
  if (!check.ok) throw new ModelConfigError(check.message);
  const parts = splitModel(check.model);
  const provider = parts ? resolveProvider(config, parts.provider, env) : undefined;
  if (!parts || !provider) throw new ModelConfigError(`cannot resolve model ${check.model}`);
  const p = provider.config;
  const settings = config.models[check.model];
  return dropUndefined({
    kind: p.kind,
    providerName: parts.provider,
    model: parts.id,
    baseURL: provider.baseUrl,
    // The SDKs insist on a key even for servers that ignore it.
    apiKey: provider.apiKey ?? "not-needed",
    contextWindow: contextWindowFor(config, check.model),
    maxOutputTokens: settings?.maxOutputTokens,
    reasoning: settings?.reasoning,
    maxRetries: p.maxRetries,
    headers: p.headers,
    family: p.family,
    customTools: p.customTools,
    apiKeyHint: provider.keyHint,
    baseUrlHint: provider.urlHint,
    price: priceFor(config, check.model),
  });
}

/** Settings go over the wire as JSON: absent, not undefined. */
function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
