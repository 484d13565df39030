import type { AttemptModel } from "@cadre/protocol";
import type { ModelClient } from "../model-client.ts";
import { createAnthropicClient } from "./anthropic-messages.ts";
import { createOpenAIChatClient } from "./openai-chat.ts";
import { createOpenAIResponsesClient } from "./openai-responses.ts";
import type { ProviderSettings } from "./provider-settings.ts";

/**
 * The client for one attempt's model, from the settings the server resolved (see @cadre/config):
 * the agent reads no configuration itself.
 */
export function createModelClient(model: AttemptModel, overrides: Partial<ProviderSettings> = {}): ModelClient {
  const { kind, price: _price, ...rest } = model;
  const settings: ProviderSettings = { ...rest, ...overrides };
  if (kind === "anthropic") return createAnthropicClient(settings);
  if (kind === "openai-chat") return createOpenAIChatClient(settings);
  return createOpenAIResponsesClient(settings);
}
