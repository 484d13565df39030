import type { EventBody } from "@cadre/protocol";

export const SAME_CALL_LIMIT = 4;
export const SAME_ERROR_LIMIT = 3;
export const ALTERNATION_REPEATS = 3;

interface Attempted {
  call: string;
  result: string;
  isError: boolean;
}

/**
 * Detects a loop in the current turn's tool calls (since the last user message). Returns a
 * description of the loop, or null. Timing lines are ignored so reruns compare equal.
 */
export function detectStuck(history: readonly EventBody[]): string | null {
  let start = 0;
  for (let i = history.length - 1; i >= 0; i--) {
    if (history[i]?.type === "user_message") {
      start = i + 1;
      break;
    }
  }
  const calls = new Map<string, string>();
  const done: Attempted[] = [];
  for (const e of history.slice(start)) {
    if (e.type === "tool_call") calls.set(e.callId, `${e.name} ${stableJson(e.input)}`);
    else if (e.type === "tool_result" && !e.interrupted) {
      done.push({ call: calls.get(e.callId) ?? `${e.name} ?`, result: normalizeResult(e.output), isError: e.isError });
    }
  }
  if (done.length === 0) return null;

  const counts = new Map<string, number>();
  for (const d of done) {
    const key = `${d.call}\u0000${d.result}`;
    const n = (counts.get(key) ?? 0) + 1;
    counts.set(key, n);
    if (n >= SAME_CALL_LIMIT) return `the same call (${short(d.call)}) returned the same result ${n} times`;
  }

  const lastErrors = done.slice(-SAME_ERROR_LIMIT);
  if (
    lastErrors.length === SAME_ERROR_LIMIT &&
    lastErrors.every((d) => d.isError && d.result === lastErrors[0]?.result)
  ) {
    return `the same error occurred ${SAME_ERROR_LIMIT} times in a row (${short(lastErrors[0]?.result ?? "")})`;
  }

  const n = ALTERNATION_REPEATS * 2;
  const tail = done.slice(-n).map((d) => `${d.call}\u0000${d.result}`);
  if (tail.length === n && tail[0] !== tail[1] && tail.every((k, i) => k === tail[i % 2])) {
    const [a, b] = done.slice(-2).map((d) => short(d.call));
    return `the agent alternated between two calls (${a} / ${b}) ${ALTERNATION_REPEATS} times with the same results`;
  }
  return null;
}

function normalizeResult(output: string): string {
  return output.replace(/^Wall time: .*$/m, "").trim();
}

function short(s: string): string {
  const one = s.replace(/\s+/g, " ").trim();
  return one.length > 120 ? `${one.slice(0, 117)}...` : one;
}

function stableJson(v: unknown): string {
  if (typeof v === "string") return v;
  return JSON.stringify(v, (_k, val: unknown) =>
    val && typeof val === "object" && !Array.isArray(val)
      ? Object.fromEntries(Object.entries(val as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : val,
  );
}
