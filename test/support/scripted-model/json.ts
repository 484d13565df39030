/** Narrowing helpers for untrusted JSON bodies (the server must not crash on odd clients). */

export type JsonObject = Record<string, unknown>;

export function obj(value: unknown): JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as JsonObject) : {};
}

export function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function str(value: unknown): string {
  return typeof value === "string" ? value : "";
}

export function parseJsonOr(text: string, fallback: unknown): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return fallback;
  }
}

/** Text of a content field that may be a string or a list of typed parts. */
export function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  return arr(content)
    .map((part) => {
      const p = obj(part);
      return typeof p.text === "string" ? p.text : "";
    })
    .join("");
}
