import type { Attempt, Task } from "@cadre/protocol";
import type { FileStat } from "@cadre/protocol";

/** Files listed in the body; the rest are counted. */
const LISTED_FILES = 50;
const SUMMARY_LIMIT = 20_000;

function testResult(attempt: Attempt): string {
  if (attempt.testsPassed === true) return "passed";
  if (attempt.testsPassed === false) return "failed";
  return "not run (the environment names no test command)";
}

/**
 * A change request's description: the agent's summary, the files changed, the test result, a link
 * to the task, and `Closes #N` when the task came from issue N.
 */
export function changeRequestBody(input: { task: Task; attempt: Attempt; files: FileStat[]; taskUrl: string }): string {
  const { task, attempt, files } = input;
  const summary = (attempt.summary ?? "").trim() || "(no summary)";
  const listed = files.slice(0, LISTED_FILES).map((f) => `- \`${f.path}\` (+${f.additions} −${f.deletions})`);
  if (files.length > LISTED_FILES) listed.push(`- … and ${files.length - LISTED_FILES} more files`);
  const parts = [
    summary.length > SUMMARY_LIMIT ? `${summary.slice(0, SUMMARY_LIMIT)}…` : summary,
    `**Files changed** (${files.length})\n${listed.join("\n")}`,
    `**Tests**: ${testResult(attempt)}`,
    `Cadre task: [${task.id}](${input.taskUrl})`,
  ];
  if (task.origin?.kind === "forge" && task.origin.thread.kind === "issue")
    parts.push(`Closes #${task.origin.thread.number}`);
  return parts.join("\n\n");
}

/** The first paragraph of a summary, for a short comment. */
export function firstParagraph(text: string | null, limit = 600): string {
  const paragraph = (text ?? "").trim().split(/\n\s*\n/)[0] ?? "";
  return paragraph.length > limit ? `${paragraph.slice(0, limit)}…` : paragraph;
}
