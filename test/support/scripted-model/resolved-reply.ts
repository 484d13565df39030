import type { NormalizedRequest, ReplyStep, StepUsage } from "./types.ts";

export interface ResolvedToolCall {
  id: string;
  name: string;
  /** Sent as a Responses custom tool call (raw string input). */
  custom: boolean;
  /** Raw input for custom calls, JSON arguments otherwise. */
  payload: string;
  namespace?: string;
}

export interface ResolvedReply {
  model: string;
  text: string;
  reasoning: string;
  toolCalls: ResolvedToolCall[];
  usage: StepUsage;
}

function tokens(chars: number): number {
  return Math.ceil(chars / 4);
}

/** Fills in ids, wire encoding of tool inputs and default usage for one scripted reply. */
export function resolveReply(
  step: ReplyStep,
  request: NormalizedRequest,
  { lane, firstCallNumber, requestChars }: { lane: number; firstCallNumber: number; requestChars: number },
): ResolvedReply {
  const toolCalls = (step.toolCalls ?? []).map((call, i): ResolvedToolCall => {
    const custom = typeof call.input === "string" && request.customTools.includes(call.name);
    // A string for a tool the client declared as a JSON function is the `{ input }` wrapping.
    const payload = custom
      ? String(call.input)
      : JSON.stringify(typeof call.input === "string" ? { input: call.input } : (call.input ?? {}));
    const namespace = call.namespace ? { namespace: call.namespace } : {};
    return { id: `call_${lane}_${firstCallNumber + i}`, name: call.name, custom, payload, ...namespace };
  });
  const text = step.text ?? "";
  const reasoning = step.reasoning ?? "";
  const outChars = text.length + reasoning.length + toolCalls.reduce((n, c) => n + c.name.length + c.payload.length, 0);
  const usage: StepUsage = {
    // Default input size tracks the real request, so context-size logic sees realistic numbers.
    input: step.usage?.input ?? tokens(requestChars),
    output: step.usage?.output ?? Math.max(1, tokens(outChars)),
    cached: step.usage?.cached ?? 0,
    reasoning: step.usage?.reasoning ?? tokens(reasoning.length),
  };
  return { model: request.model || "scripted-model", text, reasoning, toolCalls, usage };
}

/** Splits streamed text into a few deltas so clients exercise their accumulation paths. */
export function chunks(text: string, size = 64): string[] {
  if (text.length === 0) return [];
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}
