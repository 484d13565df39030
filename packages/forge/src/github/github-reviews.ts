import type { Finding } from "@cadre/protocol";
import { z } from "zod";
import type { NewCheck } from "../forge-client.ts";
import type { CheckResult } from "../forge-model.ts";
import { ForgeError } from "../forge-error.ts";
import { ownerRepo, type GithubContext } from "./github-context.ts";
import { GhReviewComment } from "./github-objects.ts";

/** GitHub caps a commit status description at 140 characters. */
const STATUS_DESCRIPTION = 140;
/** The tail of a job log that goes into a follow-up (the failure is usually at the end). */
const LOG_TAIL = 20_000;

const CHECK_STATE = {
  pending: { status: "in_progress", conclusion: undefined, commitState: "pending" },
  success: { status: "completed", conclusion: "success", commitState: "success" },
  neutral: { status: "completed", conclusion: "neutral", commitState: "success" },
  failure: { status: "completed", conclusion: "failure", commitState: "failure" },
} as const;

/** A finding as a review comment: severity, explanation, and GitHub's suggestion block when there is one. */
export function findingBody(finding: Finding): string {
  const lines = [`**${finding.severity}**: ${finding.explanation}`];
  if (finding.suggestion !== undefined) lines.push("", "```suggestion", finding.suggestion, "```");
  return lines.join("\n");
}

export async function reviewComments(gh: GithubContext, repoPath: string, number: number) {
  const items = await gh.call(`reading the review comments of #${number}`, () =>
    gh.octokit.paginate(gh.octokit.rest.pulls.listReviewComments, {
      ...ownerRepo(repoPath),
      pull_number: number,
      per_page: 100,
    }),
  );
  return z
    .array(GhReviewComment)
    .parse(items)
    .map((c) => ({ file: c.path, line: c.line ?? null, body: c.body ?? "", author: c.user?.login ?? "" }));
}

/**
 * Posts a COMMENT review with one inline comment per finding that has a line. Should GitHub refuse
 * a line as off the diff, the review is posted again with every finding in its body instead.
 */
export async function postReview(
  gh: GithubContext,
  repoPath: string,
  number: number,
  review: { commit: string; summary: string; findings: Finding[] },
): Promise<{ url: string; inline: number }> {
  const target = { ...ownerRepo(repoPath), pull_number: number, commit_id: review.commit, event: "COMMENT" as const };
  const inline = review.findings.filter((f) => f.file !== "" && f.line !== null);
  const comments = inline.map((f) => ({
    path: f.file,
    line: f.line as number,
    side: "RIGHT" as const,
    body: findingBody(f),
  }));
  try {
    const { data } = await gh.call(`posting a review on #${number}`, () =>
      gh.octokit.rest.pulls.createReview({ ...target, body: review.summary, ...(comments.length ? { comments } : {}) }),
    );
    return { url: data.html_url, inline: comments.length };
  } catch (error) {
    if (!(error instanceof ForgeError) || error.problem !== "invalid" || comments.length === 0) throw error;
    const listed = inline.map((f) => `- \`${f.file}:${f.line}\` ${findingBody(f)}`).join("\n");
    const { data } = await gh.call(`posting a review on #${number}`, () =>
      gh.octokit.rest.pulls.createReview({ ...target, body: `${review.summary}\n\n${listed}` }),
    );
    return { url: data.html_url, inline: 0 };
  }
}

/** A check run when Cadre is an app (only apps may create them), else a commit status with the same name. */
export async function setCheck(
  gh: GithubContext,
  repoPath: string,
  check: NewCheck & { id?: string },
): Promise<{ kind: "check" | "status"; id: string }> {
  const target = ownerRepo(repoPath);
  const state = CHECK_STATE[check.state];
  if (gh.isApp) {
    const output = { title: check.title, summary: check.summary };
    const fields = {
      name: check.name,
      status: state.status,
      ...(state.conclusion ? { conclusion: state.conclusion } : {}),
      output,
      ...(check.detailsUrl ? { details_url: check.detailsUrl } : {}),
    };
    const id = await gh.call(`setting the check '${check.name}'`, async () =>
      check.id
        ? (await gh.octokit.rest.checks.update({ ...target, check_run_id: Number(check.id), ...fields })).data.id
        : (await gh.octokit.rest.checks.create({ ...target, head_sha: check.commit, ...fields })).data.id,
    );
    return { kind: "check", id: String(id) };
  }
  const { data } = await gh.call(`setting the commit status '${check.name}'`, () =>
    gh.octokit.rest.repos.createCommitStatus({
      ...target,
      sha: check.commit,
      state: state.commitState,
      context: check.name,
      description: check.title.slice(0, STATUS_DESCRIPTION),
      ...(check.detailsUrl ? { target_url: check.detailsUrl } : {}),
    }),
  );
  return { kind: "status", id: String(data.id) };
}

/** The end of an Actions job's log (GitHub Actions check runs are jobs); null for other checks. */
export async function checkLog(gh: GithubContext, repoPath: string, check: CheckResult): Promise<string | null> {
  if (check.source !== "check" || check.reporter !== "github-actions") return null;
  try {
    const { data } = await gh.call(`downloading the log of '${check.name}'`, () =>
      gh.octokit.rest.actions.downloadJobLogsForWorkflowRun({ ...ownerRepo(repoPath), job_id: Number(check.id) }),
    );
    const text = typeof data === "string" ? data : Buffer.from(data as ArrayBuffer).toString("utf8");
    return text.length > LOG_TAIL
      ? `[... ${text.length - LOG_TAIL} characters before this ...]\n${text.slice(-LOG_TAIL)}`
      : text;
  } catch (error) {
    if (error instanceof ForgeError && (error.problem === "not_found" || error.problem === "permission")) return null;
    throw error;
  }
}
