/** Which wire API a request came in on. */
export type ScriptedApi = "responses" | "chat" | "anthropic";

export interface StepUsage {
  input: number;
  output: number;
  cached: number;
  reasoning: number;
}

export interface ScriptedToolCall {
  name: string;
  /** An object for function tools; a string for custom tools (wrapped as `{ input }` where the client declared a function). */
  input: unknown;
  /** Responses API: the namespace tool the function sits in (e.g. Codex's `mcp__<server>`). */
  namespace?: string;
}

export interface ReplyStep {
  text?: string;
  /** Streamed as a reasoning summary (Responses), `reasoning_content` (Chat) or a thinking block (Anthropic). */
  reasoning?: string;
  toolCalls?: ScriptedToolCall[];
  usage?: Partial<StepUsage>;
  /** Wait before answering; the only artificial delay the server ever adds. */
  delayMs?: number;
  /** Hold the reply until this settles: a gate a test opens when it is ready for the next step. */
  until?: PromiseLike<unknown>;
}

export interface ErrorStep {
  error: {
    status: 400 | 401 | 403 | 404 | 429 | 500 | 502 | 503 | 529;
    headers?: Record<string, string>;
    /** Replaces the default provider-shaped error body. */
    body?: unknown;
    /** e.g. `context_length_exceeded`, `model_not_found`, `insufficient_quota`. */
    code?: string;
    message?: string;
  };
  delayMs?: number;
}

export type Step = ReplyStep | ErrorStep;

export interface NormalizedToolCall {
  id: string;
  name: string;
  /** Parsed JSON arguments, or the raw string of a custom tool call. */
  input: unknown;
  /** The Responses namespace the call named, if any. */
  namespace?: string;
}

export interface NormalizedToolResult {
  callId: string;
  output: string;
}

export interface NormalizedMessage {
  role: "user" | "assistant" | "tool";
  text: string;
  toolCalls: NormalizedToolCall[];
  toolResults: NormalizedToolResult[];
}

/** Provider-neutral view of a model request, so scripts can react to what the agent sent. */
export interface NormalizedRequest {
  api: ScriptedApi;
  model: string;
  system: string;
  messages: NormalizedMessage[];
  tools: string[];
  /** Tools declared as free-form (Responses `custom`) rather than JSON functions. */
  customTools: string[];
  /** Responses `namespace` tools (listed by name in `tools`) and the tools inside each. */
  namespaces: Record<string, string[]>;
  stream: boolean;
}

export interface ScriptContext {
  lane: number;
  /** Assistant replies already in the request's history. */
  step: number;
  /** Error replies already served in this lane (so a function script can stop failing on retry). */
  errorsServed: number;
  request: NormalizedRequest;
}

export type ScriptFunction = (ctx: ScriptContext) => Step;

export type Script = Step[] | ScriptFunction | { lanes: Step[][] };

export interface RecordedRequest {
  /** When the request arrived (ms since the epoch). */
  receivedAt: number;
  method: string;
  path: string;
  headers: Record<string, string>;
  /** Parsed JSON body (null for GET). */
  body: unknown;
  api: ScriptedApi | null;
  normalized: NormalizedRequest | null;
  lane: number | null;
  step: number | null;
  /** The step actually served (including the synthesized "done" once a script is exhausted). */
  reply: Step | null;
}

export function isErrorStep(step: Step): step is ErrorStep {
  return "error" in step && step.error !== undefined;
}
