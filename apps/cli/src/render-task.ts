import {
  describeDelivery,
  describeSelection,
  forgeNouns,
  statusLabel,
  threadName,
  type Task,
  type TaskOrigin,
  type TaskWithAttempts,
} from "@cadre/protocol";

function age(iso: string): string {
  const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  if (s < 60) return `${Math.floor(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

export function renderTaskRow(t: Task): string {
  return [
    t.id,
    statusLabel(t.status).padEnd(14),
    t.repoName.padEnd(16),
    `${t.attemptCount}x`,
    age(t.createdAt).padStart(4),
    `$${t.usage.costUsd.toFixed(2)}`,
    t.title,
  ].join("  ");
}

/** Where a task came from: an automation's run, or a forge thread. */
export function originText(origin: TaskOrigin): string {
  if (origin.kind === "automation") return `automation ${origin.name} (${origin.detail})`;
  return `${threadName(forgeNouns(origin.forgeKind), origin.thread)} on ${origin.forge} by ${origin.author} (${origin.url})`;
}

export function renderTask(t: TaskWithAttempts, _color: boolean): string {
  const lines = [
    `${t.id}  ${t.title}`,
    `  status:   ${statusLabel(t.status, t.attempts.find((a) => a.status === t.status)?.waitingFor)}`,
    `  repo:     ${t.repoName} @ ${t.baseRef} (${t.baseCommit.slice(0, 12)})`,
    `  mode:     ${t.mode}   model: ${t.model}`,
    // Named as the web names it: "merged into main (…)", not the stored state "applied".
    `  review:   ${t.review.delivery ? describeDelivery(t.review.delivery) : t.review.state}${t.review.by ? ` by ${t.review.by}` : ""}${t.review.reason ? `: ${t.review.reason}` : ""}`,
    ...(t.review.pulled && t.review.state === "pending"
      ? [
          `  pulled locally: ${describeSelection(t.review.pulled.selected)} by ${t.review.pulled.by} (the review is open)`,
        ]
      : []),
    `  created:  ${t.createdAt} by ${t.createdBy}`,
    ...(t.origin ? [`  origin:   ${originText(t.origin)}`] : []),
    `  tests:    ${t.testCommand ?? "not configured (the environment names no test command)"}`,
    `  usage:    ${t.usage.inputTokens} in, ${t.usage.outputTokens} out, $${t.usage.costUsd.toFixed(4)}`,
    ...(t.expectedPaths.length ? [`  expects:  ${t.expectedPaths.join(", ")}`] : []),
    ...t.potentialConflicts.map(
      (c) =>
        `  potential conflict with ${c.taskId} (${c.title}) on ${c.paths.join(", ")}${t.queueAfter.includes(c.taskId) ? " — queued behind it" : ""}`,
    ),
    `  attempts:`,
  ];
  for (const a of t.attempts) {
    const extra = [
      a.waitingFor ? `waiting for ${a.waitingFor.replace("_", " ")}` : "",
      a.failureReason ? `${a.failureReason}: ${a.failureMessage ?? ""}` : "",
      a.testsPassed === null ? "" : a.testsPassed ? "tests passed" : "tests failed",
    ]
      .filter(Boolean)
      .join("; ");
    const files = a.changes ? `${a.changes.filesChanged} file${a.changes.filesChanged === 1 ? "" : "s"}` : "";
    const stats = a.changes ? `${files} +${a.changes.additions} -${a.changes.deletions}` : "";
    const took = a.startedAt
      ? `${Math.round(((a.finishedAt ? Date.parse(a.finishedAt) : Date.now()) - Date.parse(a.startedAt)) / 1000)}s`
      : "";
    lines.push(
      `    #${a.index} ${a.id}  ${statusLabel(a.status, a.waitingFor)}${extra ? `  (${extra})` : ""}  ${[stats, took, `$${a.usage.costUsd.toFixed(4)}`].filter(Boolean).join("  ")}`,
    );
    if (a.image) lines.push(`       image ${a.image.reference} @ ${a.image.digest}`);
    if (a.summary) lines.push(...a.summary.split("\n").map((l) => `       ${l}`));
  }
  return lines.join("\n");
}
