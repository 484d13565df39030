import { SEVERITIES } from "./review-findings.ts";

/** The prompt may hold at most 100,000 characters (protocol limit); the rest is left for instructions. */
export const MAX_DIFF_CHARS = 90_000;

/** Instructions plus the diff: the agent reads the repository for context but reviews only this change. */
export function reviewPrompt(diff: string, what: string): { prompt: string; truncated: boolean } {
  const truncated = diff.length > MAX_DIFF_CHARS;
  const body = truncated
    ? `${diff.slice(0, MAX_DIFF_CHARS)}\n[... diff truncated: review only the part shown ...]\n`
    : diff;
  const fence = body.includes("````") ? "`````" : "````";
  const prompt = [
    `Review the following change (${what}) for bugs, security problems, data loss, broken error handling and missing tests.`,
    "You may read files in the repository for context. Do not modify anything.",
    "Answer with a short overview, then ALL findings in one fenced ```json block holding a JSON array, each item:",
    `{ "file": "<path relative to the repository root>", "line": <line number in the new version, or null>, "severity": ${SEVERITIES.map((s) => `"${s}"`).join(" | ")}, "explanation": "<what is wrong and how to fix it>", "suggestion": "<optional: the corrected text of that line>" }`,
    "Use [] when you find nothing worth reporting. Severity: critical = exploitable or data-destroying; high = a real bug or leaked secret; medium = likely problem; low = style or nit.",
    "",
    "The change:",
    `${fence}diff`,
    body.endsWith("\n") ? body.slice(0, -1) : body,
    fence,
  ].join("\n");
  return { prompt, truncated };
}
