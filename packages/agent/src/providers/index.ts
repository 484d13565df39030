export { createOpenAIResponsesClient, defaultCustomTools, defaultReasoning } from "./openai-responses.ts";
export { createOpenAIChatClient } from "./openai-chat.ts";
export { anthropicBaseURL, createAnthropicClient, DEFAULT_ANTHROPIC_MAX_TOKENS } from "./anthropic-messages.ts";
export { classifyError, retryAfterMs } from "./errors.ts";
export type { ClassifiedError, ErrorContext } from "./errors.ts";
export { defaultSleep, retryDelayMs, withRetry } from "./retry.ts";
export type { RetryOptions, Sleep } from "./retry.ts";
export { DEFAULT_MAX_RETRIES } from "./provider-settings.ts";
export type { ProviderSettings } from "./provider-settings.ts";
export {
  configFile,
  EMPTY_MODEL_CONFIG,
  loadModelConfig,
  ModelConfigSchema,
  ModelSettingsSchema,
  parseModelConfig,
  PriceSchema,
  PROVIDER_KINDS,
  ProviderConfigSchema,
  REASONING_EFFORTS,
  ReasoningSchema,
} from "./config.ts";
export type { ModelConfig, ModelSettings, ProviderConfig, ReasoningSettings } from "./config.ts";
export {
  checkModelConfigured,
  contextWindowFor,
  DEFAULT_ANTHROPIC_MODEL,
  DEFAULT_OPENAI_MODEL,
  ModelConfigError,
  priceFor,
  providerEndpoint,
  resolveModel,
  splitModel,
} from "./resolve.ts";
export { configuredModels, discoverModels, offeredModels } from "./model-catalog.ts";
export type { Env, ModelCheck } from "./resolve.ts";
export { costOf, DEFAULT_PRICES, defaultPrice } from "./pricing.ts";
export type { Price } from "./pricing.ts";
export { normalizeStopReason } from "./stop-reason.ts";
export type { StopReason } from "./stop-reason.ts";
