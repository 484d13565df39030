import type { CheckResult, Discussion, ForgeComment } from "@cadre/forge";
import { threadName, type ForgeNouns } from "@cadre/protocol";

/** The prompt may hold 100,000 characters; the discussion gets what the instruction leaves. */
const PROMPT_BUDGET = 90_000;
const COMMENT_LIMIT = 4_000;

function clip(text: string, limit: number): string {
  return text.length > limit ? `${text.slice(0, limit)}\n[... ${text.length - limit} more characters ...]` : text;
}

function quoted(comment: ForgeComment): string {
  const where = comment.file ? ` on ${comment.file}${comment.line ? ` line ${comment.line}` : ""}` : "";
  return `- ${comment.author.login}${where}: ${clip(comment.body.trim(), COMMENT_LIMIT).replace(/\n/g, "\n  ")}`;
}

/**
 * A task's prompt from a mention: the instruction first, then the issue (or change request) it
 * was asked on: title, description and the discussion so far, oldest first.
 */
export function mentionPrompt(input: {
  instruction: string;
  forgeTitle: string;
  nouns: ForgeNouns;
  repoPath: string;
  discussion: Discussion;
  author: string;
}): string {
  const { discussion } = input;
  const thread = threadName(input.nouns, discussion.thread);
  const head = [
    input.instruction.trim() || `Resolve ${thread}.`,
    "",
    `(${input.author} asked for this on ${input.forgeTitle} ${thread} of ${input.repoPath}: ${discussion.url})`,
    "",
    `${thread[0]?.toUpperCase()}${thread.slice(1)}: ${discussion.title}`,
    clip(discussion.body.trim() || "(no description)", COMMENT_LIMIT * 2),
  ].join("\n");
  const comments = discussion.comments.map(quoted);
  let body = "";
  for (const line of comments.reverse()) {
    if (head.length + body.length + line.length > PROMPT_BUDGET) break;
    body = `${line}\n${body}`;
  }
  return body ? `${head}\n\nDiscussion (oldest first):\n${body}` : head;
}

/** A follow-up from a comment on the change request Cadre works on (a review comment names its line). */
export function followupText(comment: ForgeComment, instruction: string): string {
  const where = comment.file
    ? `\n\n(This was a review comment on ${comment.file}${comment.line ? ` line ${comment.line}` : ""}.)`
    : "";
  return `${instruction.trim() || "Address this review comment."}${where}\n\n— ${comment.author.login}`;
}

/** A follow-up from a failed check: its name, output and the end of its log. */
export function checkFollowupText(input: {
  check: CheckResult;
  log: string | null;
  round: number;
  max: number;
  nouns: ForgeNouns;
}): string {
  const { check, log, round, max } = input;
  const parts = [
    `The check "${check.name}" failed (${check.conclusion}) on ${check.commit.slice(0, 12)}, the head of the ${input.nouns.changeRequest}. Find out why from its output below, fix the cause, and run the tests. (Automatic follow-up ${round} of ${max}.)`,
  ];
  if (check.title) parts.push(`Title: ${check.title}`);
  if (check.summary) parts.push(`Summary:\n${clip(check.summary, 8_000)}`);
  if (check.text) parts.push(`Details:\n${clip(check.text, 16_000)}`);
  if (log) parts.push(`The end of the job's log:\n\`\`\`\n${clip(log, 40_000)}\n\`\`\``);
  else
    parts.push(
      `No log of this job was available from the forge, so work from the output above${check.url ? ` and the check's page: ${check.url}` : ""}.`,
    );
  if (log && check.url) parts.push(`More: ${check.url}`);
  return parts.join("\n\n");
}

export const REVIEW_RULES_NOTE =
  "If the repository has an AGENTS.md, its review rules apply: follow them when deciding what to report and how severe it is.";
