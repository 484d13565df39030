import { z } from "zod";

export const SEVERITIES = ["low", "medium", "high", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface Finding {
  file: string;
  line: number | null;
  severity: Severity;
  explanation: string;
  /** The corrected text of the line (or lines) the finding is on, when the model proposed one. */
  suggestion?: string;
}

/** Words models use instead of ours, mapped so a near-miss still counts at the right level. */
const SEVERITY_ALIASES: Record<string, Severity> = {
  info: "low",
  minor: "low",
  nit: "low",
  low: "low",
  warning: "medium",
  moderate: "medium",
  medium: "medium",
  error: "high",
  major: "high",
  high: "high",
  blocker: "critical",
  critical: "critical",
};

const RawFinding = z.object({
  file: z.string().optional(),
  path: z.string().optional(),
  line: z.union([z.number(), z.string(), z.null()]).optional(),
  severity: z.string(),
  explanation: z.string().optional(),
  message: z.string().optional(),
  description: z.string().optional(),
  suggestion: z.union([z.string(), z.null()]).optional(),
});

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

export function reachesThreshold(findings: Finding[], threshold: Severity): boolean {
  return findings.some((f) => severityRank(f.severity) >= severityRank(threshold));
}

function normalize(value: unknown): Finding[] | null {
  const list = Array.isArray(value)
    ? value
    : value && typeof value === "object" && Array.isArray((value as { findings?: unknown }).findings)
      ? (value as { findings: unknown[] }).findings
      : null;
  if (!list) return null;
  const out: Finding[] = [];
  for (const item of list) {
    const r = RawFinding.safeParse(item);
    if (!r.success) return null;
    const severity = SEVERITY_ALIASES[r.data.severity.trim().toLowerCase()];
    if (!severity) return null;
    const line =
      typeof r.data.line === "number"
        ? r.data.line
        : typeof r.data.line === "string" && /^\d+$/.test(r.data.line.trim())
          ? Number(r.data.line.trim())
          : null;
    out.push({
      file: r.data.file ?? r.data.path ?? "",
      line: line !== null && Number.isInteger(line) && line > 0 ? line : null,
      severity,
      explanation: (r.data.explanation ?? r.data.message ?? r.data.description ?? "").trim(),
      ...(typeof r.data.suggestion === "string" && r.data.suggestion.trim() !== ""
        ? { suggestion: r.data.suggestion.replace(/\n+$/, "") }
        : {}),
    });
  }
  return out;
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Findings from a review answer: the last fenced block (```json or bare ```) holding a findings
 * array wins; failing that, the widest [...] span in the text. Null when there is none, so the
 * caller can tell "no findings" (an empty array) from "the model did not answer in the format".
 */
export function parseFindings(answer: string): Finding[] | null {
  const blocks = [...answer.matchAll(/```[a-zA-Z]*[ \t]*\r?\n([\s\S]*?)```/g)].map((m) => m[1] ?? "");
  for (const block of blocks.reverse()) {
    const found = normalize(tryJson(block.trim()));
    if (found) return found;
  }
  const start = answer.indexOf("[");
  const end = answer.lastIndexOf("]");
  if (start >= 0 && end > start) return normalize(tryJson(answer.slice(start, end + 1)));
  return null;
}
