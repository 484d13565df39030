import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import type { ModelInfo, ModelList } from "@cadre/protocol";
import type { ModelConfig } from "./model-config.ts";
import {
  checkModelConfigured,
  DEFAULT_ANTHROPIC_MODEL,
  DEFAULT_OPENAI_MODEL,
  providerEndpoint,
  splitModel,
  type Env,
} from "./resolve-model.ts";

/** The Anthropic SDK's base URL wants no trailing `/v1` (config names the API root either way). */
function anthropicBaseURL(baseURL: string | undefined): string {
  return (baseURL ?? "https://api.anthropic.com").replace(/\/v1\/?$/, "").replace(/\/$/, "");
}

/** Every model the configuration names (config.json's models and default, CADRE_MODEL, the built-in providers' defaults). */
function namedModels(config: ModelConfig, env: Env, chosen: string | null): Map<string, ModelInfo["source"]> {
  const names = new Map<string, ModelInfo["source"]>();
  if (chosen) names.set(chosen, config.models[chosen] || config.defaultModel === chosen ? "config" : "builtin");
  if (config.defaultModel) names.set(config.defaultModel, "config");
  if (env.CADRE_MODEL) names.set(env.CADRE_MODEL, "config");
  for (const name of Object.keys(config.models)) names.set(name, "config");
  if (env.OPENAI_API_KEY || env.OPENAI_BASE_URL || config.providers.openai)
    if (!names.has(`openai/${DEFAULT_OPENAI_MODEL}`)) names.set(`openai/${DEFAULT_OPENAI_MODEL}`, "builtin");
  if (env.ANTHROPIC_API_KEY || env.ANTHROPIC_BASE_URL || config.providers.anthropic)
    if (!names.has(`anthropic/${DEFAULT_ANTHROPIC_MODEL}`))
      names.set(`anthropic/${DEFAULT_ANTHROPIC_MODEL}`, "builtin");
  return names;
}

interface ModelInfoInput {
  config: ModelConfig;
  env: Env;
  name: string;
  /** The default model, if one is configured. */
  chosen: string | null;
  source: ModelInfo["source"];
}

function info({ config, env, name, chosen, source }: ModelInfoInput): ModelInfo {
  const check = checkModelConfigured(config, name, env);
  return {
    name,
    provider: splitModel(name)?.provider ?? name,
    isDefault: name === chosen,
    source,
    ready: check.ok,
    problem: check.ok ? null : check.message,
  };
}

/** The models tasks can name without asking any provider, the default first. */
export function configuredModels(config: ModelConfig, env: Env): ModelList {
  const check = checkModelConfigured(config, undefined, env);
  const chosen = check.ok ? check.model : null;
  const items = [...namedModels(config, env, chosen)].map(([name, source]) =>
    info({ config, env, name, chosen, source }),
  );
  return { default: chosen, items, problem: check.ok ? null : check.message };
}

/**
 * The model ids a provider says it offers (its `GET /models`), through the official SDKs; null
 * when it cannot say (no such provider, unreachable, no listing endpoint).
 */
export async function offeredModels(
  config: ModelConfig,
  provider: string,
  env: Env,
  signal?: AbortSignal,
): Promise<string[] | null> {
  const endpoint = providerEndpoint(config, provider, env);
  if (!endpoint) return null;
  const apiKey = endpoint.apiKey ?? "not-needed";
  try {
    const ids: string[] = [];
    if (endpoint.kind === "anthropic") {
      const client = new Anthropic({
        apiKey,
        baseURL: anthropicBaseURL(endpoint.baseUrl),
        maxRetries: 0,
        timeout: 10_000,
        defaultHeaders: endpoint.headers,
      });
      for await (const model of client.models.list({ limit: 1000 }, { signal })) ids.push(model.id);
    } else {
      const client = new OpenAI({
        apiKey,
        baseURL: endpoint.baseUrl,
        maxRetries: 0,
        timeout: 10_000,
        defaultHeaders: endpoint.headers,
      });
      for await (const model of client.models.list({ signal })) ids.push(model.id);
    }
    return ids;
  } catch {
    return null;
  }
}

/** Configured models plus what each ready provider offers (marked `provider`); `offered` may cache the providers' answers. */
export async function discoverModels(
  config: ModelConfig,
  env: Env,
  offered: (provider: string) => Promise<string[] | null> = (p) => offeredModels(config, p, env),
): Promise<ModelList> {
  const list = configuredModels(config, env);
  const providers = [...new Set(list.items.filter((m) => m.ready).map((m) => m.provider))];
  const answers = await Promise.all(providers.map(async (p) => [p, await offered(p)] as const));
  const known = new Set(list.items.map((m) => m.name));
  for (const [provider, ids] of answers)
    for (const id of ids ?? []) {
      const name = `${provider}/${id}`;
      if (!known.has(name)) list.items.push(info({ config, env, name, chosen: list.default, source: "provider" }));
      known.add(name);
    }
  return list;
}
