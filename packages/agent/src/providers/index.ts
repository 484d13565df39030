export { createOpenAIResponsesClient, defaultCustomTools } from "./openai-responses.ts";
export { createOpenAIChatClient } from "./openai-chat.ts";
export { anthropicBaseURL, createAnthropicClient, DEFAULT_ANTHROPIC_MAX_TOKENS } from "./anthropic-messages.ts";
export { classifyError, retryAfterMs } from "./errors.ts";
export type { ClassifiedError, ErrorContext } from "./errors.ts";
export { defaultSleep, retryDelayMs, withRetry } from "./retry.ts";
export type { RetryOptions, Sleep } from "./retry.ts";
export { DEFAULT_MAX_RETRIES } from "./provider-settings.ts";
export type { ProviderSettings } from "./provider-settings.ts";
