import * as Anthropic from "@anthropic-ai/sdk";
import * as OpenAI from "openai";
import { ModelError } from "../model-client.ts";

/** What an error message needs to tell the user which setting to fix. */
export interface ErrorContext {
  vendor: "OpenAI" | "Anthropic";
  /** `provider/model` */
  model: string;
  baseURL: string;
  /** e.g. "OPENAI_API_KEY or providers.openai.apiKey in ~/.cadre/config.json" */
  apiKeyHint: string;
  /** e.g. "OPENAI_BASE_URL / providers.openai.baseUrl" */
  baseUrlHint: string;
}

export interface ClassifiedError {
  error: ModelError;
  /** Worth another attempt (429 except quota, 5xx, dropped connections). */
  retryable: boolean;
}

const RETRY_AFTER_CAP_MS = 60_000;
const CONTEXT_PATTERNS =
  /context[_ ]length|maximum context|context window|context size|prompt is too long|too many tokens|input is too long|exceeds the model's context/i;
const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ERR_INVALID_URL",
]);

/** Reads `retry-after-ms` or `retry-after` (seconds or an HTTP date), capped so one header cannot stall a run. */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | null {
  if (!headers) return null;
  const ms = Number(headers.get("retry-after-ms"));
  if (headers.get("retry-after-ms") !== null && Number.isFinite(ms) && ms >= 0) return Math.min(ms, RETRY_AFTER_CAP_MS);
  const raw = headers.get("retry-after");
  if (raw === null) return null;
  const seconds = Number(raw);
  if (raw.trim() !== "" && Number.isFinite(seconds)) return Math.min(Math.max(0, seconds * 1000), RETRY_AFTER_CAP_MS);
  const date = Date.parse(raw);
  if (Number.isNaN(date)) return null;
  return Math.min(Math.max(0, date - now), RETRY_AFTER_CAP_MS);
}

/** First `code` (e.g. ECONNREFUSED) along an error's cause chain. */
function causeCode(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 6 && typeof current === "object" && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && code.length > 0) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function isAbort(err: unknown): boolean {
  return (
    err instanceof OpenAI.APIUserAbortError ||
    err instanceof Anthropic.APIUserAbortError ||
    (err instanceof Error && (err.name === "AbortError" || err.name === "APIUserAbortError"))
  );
}

/** Text of an API error body, wherever the SDK put the provider's message and code. */
function describe(err: OpenAI.APIError | Anthropic.APIError): { text: string; code: string } {
  const body = err.error as
    | {
        code?: unknown;
        type?: unknown;
        message?: unknown;
        error?: { type?: unknown; message?: unknown; code?: unknown };
      }
    | undefined;
  const code =
    ["code" in err ? err.code : undefined, body?.code, body?.error?.code, body?.error?.type, body?.type].find(
      (c): c is string => typeof c === "string",
    ) ?? "";
  const text = [err.message, body?.message, body?.error?.message]
    .filter((m): m is string => typeof m === "string")
    .join(" ");
  return { text, code };
}

/** An HTTP answer from a provider: its status, headers (when it had them) and what its body said. */
interface ProviderAnswer {
  status: number;
  headers: Headers | undefined;
  text: string;
  code: string;
}

function fromStatus({ status, headers, text, code }: ProviderAnswer, ctx: ErrorContext): ClassifiedError {
  const detail = text ? `: ${text}` : "";
  // Only client errors: a 429 saying "tokens per minute" is not an overflow.
  const clientError = status === 400 || status === 413 || status === 422;
  if (code === "context_length_exceeded" || status === 413 || (clientError && CONTEXT_PATTERNS.test(text))) {
    return {
      error: new ModelError(
        "context_overflow",
        `the conversation no longer fits the context window of ${ctx.model}${detail}`,
      ),
      retryable: false,
    };
  }
  if (status === 401 || status === 403) {
    return {
      error: new ModelError("auth", `the ${ctx.vendor} API key was refused (${status}): set ${ctx.apiKeyHint}`),
      retryable: false,
    };
  }
  if (status === 404 || code === "model_not_found") {
    const model = ctx.model.slice(ctx.model.indexOf("/") + 1);
    return {
      error: new ModelError(
        "model_not_found",
        `model ${model} is not served by ${ctx.baseURL}: check the model name${detail}`,
      ),
      retryable: false,
    };
  }
  if (status === 429) {
    // Out of quota will not fix itself by waiting.
    const quota = code === "insufficient_quota";
    const message = quota
      ? `the ${ctx.vendor} account is out of quota (429): check billing for ${ctx.apiKeyHint}`
      : `rate limited by ${ctx.baseURL} (429)${detail}`;
    return { error: new ModelError("rate_limited", message, retryAfterMs(headers)), retryable: !quota };
  }
  if (status >= 500 || status === 408 || status === 409) {
    return {
      error: new ModelError("server", `${ctx.baseURL} failed with ${status}${detail}`, retryAfterMs(headers)),
      retryable: true,
    };
  }
  return {
    error: new ModelError("bad_request", `${ctx.baseURL} rejected the request (${status})${detail}`),
    retryable: false,
  };
}

/** Maps any error thrown by an SDK call (or our own stream handling) to a ModelError. */
export function classifyError(err: unknown, ctx: ErrorContext): ClassifiedError {
  if (err instanceof ModelError) return { error: err, retryable: err.kind === "rate_limited" || err.kind === "server" };
  if (isAbort(err)) return { error: new ModelError("cancelled", "the model request was cancelled"), retryable: false };
  if (err instanceof OpenAI.APIConnectionError || err instanceof Anthropic.APIConnectionError) {
    const code = causeCode(err.cause);
    const timeout =
      err instanceof OpenAI.APIConnectionTimeoutError || err instanceof Anthropic.APIConnectionTimeoutError;
    const why = timeout ? "timed out" : (code ?? err.message);
    const message = `cannot reach ${ctx.baseURL} (${why}): check ${ctx.baseUrlHint}`;
    // Refused/unresolvable hosts are configuration errors; resets and timeouts are transient.
    return { error: new ModelError("unreachable", message), retryable: !(code && UNREACHABLE_CODES.has(code)) };
  }
  if ((err instanceof OpenAI.APIError || err instanceof Anthropic.APIError) && typeof err.status === "number") {
    const { text, code } = describe(err);
    return fromStatus({ status: err.status, headers: err.headers, text, code }, ctx);
  }
  if (err instanceof OpenAI.APIError || err instanceof Anthropic.APIError) {
    // Errors sent inside an open stream carry no status.
    const { text, code } = describe(err);
    const status =
      code === "rate_limit_exceeded" || code === "rate_limit_error"
        ? 429
        : code === "overloaded_error"
          ? 529
          : CONTEXT_PATTERNS.test(text)
            ? 400
            : 500;
    return fromStatus({ status, headers: undefined, text, code }, ctx);
  }
  const code = causeCode(err);
  if (code && UNREACHABLE_CODES.has(code))
    return {
      error: new ModelError("unreachable", `cannot reach ${ctx.baseURL} (${code}): check ${ctx.baseUrlHint}`),
      retryable: false,
    };
  if (code === "ECONNRESET" || code === "EPIPE" || code === "UND_ERR_SOCKET") {
    return { error: new ModelError("unreachable", `connection to ${ctx.baseURL} dropped (${code})`), retryable: true };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { error: new ModelError("server", `model request to ${ctx.baseURL} failed: ${message}`), retryable: false };
}
