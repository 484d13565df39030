import { CadreError, type ErrorCode, type Usage } from "@cadre/protocol";

/** A tool as offered to a model. */
export type ToolSpec =
  | { kind: "function"; name: string; description: string; parameters: Record<string, unknown> }
  /** Free-form input (OpenAI Responses "custom" tools); providers without them get a function taking `{ input: string }`. */
  | { kind: "custom"; name: string; description: string; grammar?: { syntax: "lark"; definition: string } };

export interface ToolCall {
  callId: string;
  name: string;
  /** Parsed JSON arguments for function tools; the raw string for custom tools. */
  input: unknown;
}

/** Provider-neutral conversation, rebuilt from the attempt's events. */
export type ConversationItem =
  | { role: "user"; text: string }
  | { role: "assistant"; text: string; toolCalls: ToolCall[] }
  | { role: "tool"; callId: string; name: string; output: string };

export interface ModelRequest {
  system: string;
  items: ConversationItem[];
  tools: ToolSpec[];
  signal?: AbortSignal;
}

export type ModelStreamEvent =
  | { type: "text_delta"; text: string }
  | { type: "reasoning_delta"; text: string }
  | { type: "tool_call"; call: ToolCall }
  | { type: "finish"; usage: Omit<Usage, "costUsd">; stopReason: string };

export type ModelErrorKind =
  | "auth"
  | "model_not_found"
  | "unreachable"
  | "context_overflow"
  | "rate_limited"
  | "server"
  | "bad_request"
  | "cancelled";

const MODEL_ERROR_CODES: Record<ModelErrorKind, ErrorCode> = {
  auth: "not_configured",
  model_not_found: "not_configured",
  unreachable: "unavailable",
  context_overflow: "bad_request",
  rate_limited: "rate_limited",
  server: "unavailable",
  bad_request: "bad_request",
  cancelled: "unavailable",
};

/** Thrown by model clients; `message` names the setting to fix where one applies. */
export class ModelError extends CadreError {
  readonly kind: ModelErrorKind;
  readonly retryAfterMs: number | null;
  constructor(kind: ModelErrorKind, message: string, retryAfterMs: number | null = null) {
    super(MODEL_ERROR_CODES[kind], message);
    this.name = "ModelError";
    this.kind = kind;
    this.retryAfterMs = retryAfterMs;
  }
}

export interface ModelClient {
  /** `provider/model` */
  readonly name: string;
  /** Which edit tool the model is trained on: OpenAI-family gets apply_patch, Anthropic-family the string-replace editor. */
  readonly family: "openai" | "anthropic";
  readonly contextWindow: number;
  /** Streams one model reply. Retries on 429/5xx (honouring Retry-After) happen inside. */
  stream(req: ModelRequest): AsyncIterable<ModelStreamEvent>;
}
