import { severityRank, type Finding } from "@cadre/protocol";

const COLORS: Record<Finding["severity"], string> = {
  low: "\x1b[2m",
  medium: "\x1b[33m",
  high: "\x1b[31m",
  critical: "\x1b[1;31m",
};

/** One finding per block, most severe first: `file:line  SEVERITY  explanation`. */
export function renderFindings(findings: Finding[], color: boolean): string {
  if (findings.length === 0) return "no findings";
  const sorted = [...findings].sort(
    (a, b) =>
      severityRank(b.severity) - severityRank(a.severity) ||
      a.file.localeCompare(b.file) ||
      (a.line ?? 0) - (b.line ?? 0),
  );
  return sorted
    .map((f) => {
      const where = `${f.file || "(general)"}${f.line ? `:${f.line}` : ""}`;
      const sev = f.severity.toUpperCase().padEnd(8);
      return `${where}  ${color ? `${COLORS[f.severity]}${sev}\x1b[0m` : sev}  ${f.explanation}`;
    })
    .join("\n");
}
