import type { ModelClient, ModelRequest, ModelStreamEvent } from "../model-client.ts";
import { classifyError, type ErrorContext } from "./errors.ts";
import { DEFAULT_MAX_RETRIES, type ProviderSettings } from "./provider-settings.ts";
import { withRetry } from "./retry.ts";

/** A ModelClient whose every request is one `attempt`, retried on 429/5xx as the settings say. */
export function retryingClient(
  {
    name,
    settings,
    family,
    ctx,
  }: { name: string; settings: ProviderSettings; family: ModelClient["family"]; ctx: ErrorContext },
  attempt: (req: ModelRequest) => AsyncIterable<ModelStreamEvent>,
): ModelClient {
  return {
    name,
    family: settings.family ?? family,
    contextWindow: settings.contextWindow,
    stream: (req) =>
      withRetry(() => attempt(req), {
        maxRetries: settings.maxRetries ?? DEFAULT_MAX_RETRIES,
        classify: (err) => classifyError(err, ctx),
        signal: req.signal,
        sleep: settings.sleep,
        random: settings.random,
        onRetry: settings.onRetry,
      }),
  };
}
