import type { ToolSpec } from "../model-client.ts";

/** Schema a custom (free-form) tool gets on APIs that only have JSON function tools. */
export function wrappedCustomParameters(spec: Extract<ToolSpec, { kind: "custom" }>): Record<string, unknown> {
  const grammarNote = spec.grammar ? " (the raw tool input, exactly as described)" : "";
  return {
    type: "object",
    properties: { input: { type: "string", description: `The ${spec.name} input${grammarNote}.` } },
    required: ["input"],
    additionalProperties: false,
  };
}

export function isCustomTool(tools: ToolSpec[], name: string): boolean {
  return tools.some((t) => t.kind === "custom" && t.name === name);
}

/**
 * Parses streamed function arguments. Invalid JSON is passed on as the raw string so the loop
 * can tell the model its arguments were malformed instead of failing the attempt.
 */
export function parseArguments(text: string): unknown {
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Back from `{ input: string }` to the raw string the custom tool expects. */
export function unwrapCustomInput(args: unknown): string {
  if (typeof args === "string") return args;
  if (typeof args === "object" && args !== null && typeof (args as { input?: unknown }).input === "string")
    return (args as { input: string }).input;
  return JSON.stringify(args);
}

/** The `{ input }` wrapping of a custom call's raw string, for history sent to such APIs. */
export function wrapCustomInput(input: unknown): Record<string, unknown> {
  return { input: typeof input === "string" ? input : JSON.stringify(input) };
}

/** Function-call arguments for history: objects as JSON, custom strings wrapped. */
export function argumentsJson(tools: ToolSpec[], name: string, input: unknown): string {
  if (isCustomTool(tools, name) || typeof input === "string") return JSON.stringify(wrapCustomInput(input));
  return JSON.stringify(input ?? {});
}
