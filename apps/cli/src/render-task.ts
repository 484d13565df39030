import type { Task, TaskWithAttempts } from "@cadre/protocol";

function age(iso: string): string {
  const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  if (s < 60) return `${Math.floor(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

export function renderTaskRow(t: Task): string {
  return [t.id, t.status.padEnd(17), t.repoName.padEnd(16), `${t.attemptCount}x`, age(t.createdAt).padStart(4), `$${t.usage.costUsd.toFixed(2)}`, t.title].join("  ");
}

export function renderTask(t: TaskWithAttempts, _color: boolean): string {
  const lines = [
    `${t.id}  ${t.title}`,
    `  status:   ${t.status}`,
    `  repo:     ${t.repoName} @ ${t.baseRef} (${t.baseCommit.slice(0, 12)})`,
    `  mode:     ${t.mode}   model: ${t.model}`,
    `  review:   ${t.review.state}${t.review.delivery ? ` (${t.review.delivery.kind}${"branch" in t.review.delivery ? ` ${t.review.delivery.branch}` : ""})` : ""}${t.review.by ? ` by ${t.review.by}` : ""}${t.review.reason ? `: ${t.review.reason}` : ""}`,
    `  created:  ${t.createdAt} by ${t.createdBy}`,
    `  usage:    ${t.usage.inputTokens} in, ${t.usage.outputTokens} out, $${t.usage.costUsd.toFixed(4)}`,
    `  attempts:`,
  ];
  for (const a of t.attempts) {
    const extra = [
      a.waitingFor ? `waiting for ${a.waitingFor.replace("_", " ")}` : "",
      a.failureReason ? `${a.failureReason}: ${a.failureMessage ?? ""}` : "",
      a.testsPassed === null ? "" : a.testsPassed ? "tests passed" : "tests failed",
    ].filter(Boolean).join("; ");
    lines.push(`    #${a.index} ${a.id}  ${a.status}${extra ? `  (${extra})` : ""}`);
    if (a.summary) lines.push(...a.summary.split("\n").map((l) => `       ${l}`));
  }
  return lines.join("\n");
}
