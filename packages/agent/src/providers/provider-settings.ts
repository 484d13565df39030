import type { ReasoningSettings } from "@cadre/protocol";
import type { RetryOptions, Sleep } from "./retry.ts";

/** Everything a provider client needs, already resolved from config and environment. */
export interface ProviderSettings {
  /** Name in config (`openai`, `anthropic`, `local`…), used in error hints. */
  providerName: string;
  /** Model id as the server knows it (without the provider prefix). */
  model: string;
  /** Base URL; SDK default when omitted. */
  baseURL?: string;
  apiKey: string;
  contextWindow: number;
  maxRetries?: number;
  maxOutputTokens?: number;
  headers?: Record<string, string>;
  /** Which edit tool the model gets; defaults per provider kind. */
  family?: "openai" | "anthropic";
  /** Responses only: send custom tools as `custom` (default: only for api.openai.com). */
  customTools?: boolean;
  /** How the user sets the API key, e.g. "OPENAI_API_KEY or providers.openai.apiKey in ~/.cadre/config.json". */
  apiKeyHint?: string;
  /** How the user sets the base URL, e.g. "OPENAI_BASE_URL / providers.openai.baseUrl". */
  baseUrlHint?: string;
  /** Reasoning effort (Responses, Chat `reasoning_effort`) and summaries (Responses). */
  reasoning?: ReasoningSettings;
  /** Tests inject this to observe retry waits. */
  sleep?: Sleep;
  random?: () => number;
  /** Told before each retry wait, e.g. to log "rate limited, retrying in 2 s". */
  onRetry?: RetryOptions["onRetry"];
}

export const DEFAULT_MAX_RETRIES = 4;

export function keyHint(s: ProviderSettings, envVar: string): string {
  return s.apiKeyHint ?? `${envVar} or providers.${s.providerName}.apiKey in ~/.cadre/config.json`;
}

export function urlHint(s: ProviderSettings, envVar: string): string {
  return s.baseUrlHint ?? `${envVar} / providers.${s.providerName}.baseUrl`;
}
