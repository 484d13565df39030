import { z } from "zod";

export const PROVIDER_KINDS = ["openai-responses", "openai-chat", "anthropic"] as const;
export const ProviderKind = z.enum(PROVIDER_KINDS);
export type ProviderKind = z.infer<typeof ProviderKind>;

/** USD per million tokens; `inputPerMTok` applies to uncached input. */
export const Price = z.strictObject({
  inputPerMTok: z.number().nonnegative(),
  cachedInputPerMTok: z.number().nonnegative(),
  outputPerMTok: z.number().nonnegative(),
});
export type Price = z.infer<typeof Price>;

export const REASONING_EFFORTS = ["none", "minimal", "low", "medium", "high", "xhigh"] as const;

export const ReasoningSettings = z.strictObject({
  effort: z.enum(REASONING_EFFORTS).optional(),
  /** Responses only: ask for reasoning summaries (streamed as reasoning_delta). */
  summary: z.enum(["auto", "concise", "detailed"]).optional(),
});
export type ReasoningSettings = z.infer<typeof ReasoningSettings>;

/** Per-attempt limits (config.json `budgets`). */
export const Budgets = z.strictObject({
  maxSteps: z.number().int().min(1).default(200),
  maxTokens: z.number().int().min(1000).default(20_000_000),
  maxCostUsd: z.number().min(0).default(25),
});
export type Budgets = z.infer<typeof Budgets>;

/**
 * Everything a runner needs to call the model of one attempt, resolved by the server from its
 * config.json and environment (so runners keep no model configuration of their own). With model
 * calls through the server, `baseURL` is the server's proxy and `apiKey` the runner's session.
 */
export const AttemptModel = z.strictObject({
  kind: ProviderKind,
  /** Name in config (`openai`, `anthropic`, `local`…), used in error hints. */
  providerName: z.string().min(1),
  /** Model id as the provider knows it (without the provider prefix). */
  model: z.string().min(1),
  /** Base URL; the SDK's default when omitted. */
  baseURL: z.string().optional(),
  apiKey: z.string(),
  contextWindow: z.number().int().positive(),
  maxOutputTokens: z.number().int().positive().optional(),
  maxRetries: z.number().int().min(0).max(20).optional(),
  headers: z.record(z.string(), z.string()).optional(),
  /** Which edit tool the model gets; defaults per provider kind. */
  family: z.enum(["openai", "anthropic"]).optional(),
  /** Responses only: send custom tools as `custom` (default: only for api.openai.com). */
  customTools: z.boolean().optional(),
  reasoning: ReasoningSettings.optional(),
  /** How the user sets the API key and the base URL, for error messages. */
  apiKeyHint: z.string().optional(),
  baseUrlHint: z.string().optional(),
  /** Null when unknown: cost then counts as 0. */
  price: Price.nullable(),
});
export type AttemptModel = z.infer<typeof AttemptModel>;
