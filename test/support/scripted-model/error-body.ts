import type { ErrorStep, ScriptedApi } from "./types.ts";

const CONTEXT_CODE = "context_length_exceeded";

function defaultMessage(error: ErrorStep["error"], api: ScriptedApi, model: string): string {
  if (error.code === CONTEXT_CODE) {
    return api === "anthropic"
      ? "prompt is too long: 210000 tokens > 200000 maximum"
      : "This model's maximum context length is 128000 tokens. However, your messages resulted in 210000 tokens.";
  }
  switch (error.status) {
    case 401:
      return api === "anthropic" ? "invalid x-api-key" : "Incorrect API key provided.";
    case 403:
      return "Permission denied.";
    case 404:
      return api === "anthropic"
        ? `model: ${model}`
        : `The model \`${model}\` does not exist or you do not have access to it.`;
    case 429:
      return "Rate limit reached. Please try again later.";
    case 400:
      return "Invalid request.";
    default:
      return "The server had an error while processing your request.";
  }
}

function openaiType(status: number): string {
  if (status === 429) return "rate_limit_exceeded";
  if (status >= 500) return "server_error";
  return "invalid_request_error";
}

function anthropicType(status: number): string {
  const types: Record<number, string> = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    429: "rate_limit_error",
    529: "overloaded_error",
  };
  return types[status] ?? "api_error";
}

/** The error body a real provider would send for this scripted error. */
export function errorBody(error: ErrorStep["error"], api: ScriptedApi, model: string): unknown {
  if (error.body !== undefined) return error.body;
  const message = error.message ?? defaultMessage(error, api, model);
  if (api === "anthropic") return { type: "error", error: { type: anthropicType(error.status), message } };
  const code =
    error.code ?? (error.status === 404 ? "model_not_found" : error.status === 401 ? "invalid_api_key" : null);
  return { error: { message, type: openaiType(error.status), param: null, code } };
}
