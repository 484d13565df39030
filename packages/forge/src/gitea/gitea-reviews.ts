import type { Finding } from "@cadre/protocol";
import { z } from "zod";
import type { NewCheck } from "../forge-client.ts";
import { ForgeError } from "../forge-error.ts";
import type { GiteaApi } from "./gitea-api.ts";
import { GtReviewComment, GtStatus } from "./gitea-objects.ts";

/** Gitea caps a commit status description at 255 characters. */
const STATUS_DESCRIPTION = 255;
/** Commit status states (Gitea's CommitStatusState); neutral reads as success. */
const STATE = { pending: "pending", success: "success", neutral: "success", failure: "failure" } as const;

const Review = z.object({ id: z.number(), html_url: z.string() });

/** A finding as an inline comment: severity, explanation, and a suggestion block when there is one. */
export function findingBody(finding: Finding): string {
  const lines = [`**${finding.severity}**: ${finding.explanation}`];
  if (finding.suggestion !== undefined) lines.push("", "```suggestion", finding.suggestion, "```");
  return lines.join("\n");
}

export async function reviewComments(api: GiteaApi, repoPath: string, number: number) {
  const path = `${api.repo(repoPath)}/pulls/${number}/reviews`;
  const reviews = z.array(Review).parse(await api.get(`reading the reviews of #${number}`, path));
  const out: { file: string; line: number | null; body: string; author: string }[] = [];
  for (const review of reviews) {
    const comments = z
      .array(GtReviewComment)
      .parse(await api.get(`reading review ${review.id}'s comments`, `${path}/${review.id}/comments`));
    out.push(...comments.map((c) => ({ file: c.path, line: c.position || null, body: c.body, author: c.user.login })));
  }
  return out;
}

/**
 * A COMMENT review with one inline comment per finding on a line of the new version; should Gitea
 * refuse it (a line off the diff), the review is posted again with the findings in its body.
 */
export async function postReview(
  api: GiteaApi,
  repoPath: string,
  number: number,
  review: { commit: string; summary: string; findings: Finding[] },
): Promise<{ url: string; inline: number }> {
  const path = `${api.repo(repoPath)}/pulls/${number}/reviews`;
  const inline = review.findings.filter((f) => f.file !== "" && f.line !== null);
  const comments = inline.map((f) => ({
    path: f.file,
    body: findingBody(f),
    new_position: f.line as number,
    old_position: 0,
  }));
  const body = { event: "COMMENT", commit_id: review.commit, body: review.summary };
  try {
    const posted = Review.parse(await api.post(`posting a review on #${number}`, path, { ...body, comments }));
    return { url: posted.html_url, inline: comments.length };
  } catch (error) {
    if (
      !(error instanceof ForgeError) ||
      (error.problem !== "invalid" && error.status !== 400) ||
      comments.length === 0
    )
      throw error;
    const listed = inline.map((f) => `- \`${f.file}:${f.line}\` ${findingBody(f)}`).join("\n");
    const posted = Review.parse(
      await api.post(`posting a review on #${number}`, path, { ...body, body: `${review.summary}\n\n${listed}` }),
    );
    return { url: posted.html_url, inline: 0 };
  }
}

/** A commit status named after the check (Gitea has no structured checks; a new status with the same context supersedes). */
export async function setCheck(
  api: GiteaApi,
  repoPath: string,
  check: NewCheck & { id?: string },
): Promise<{ kind: "check" | "status"; id: string }> {
  const data = await api.post(
    `setting the commit status '${check.name}'`,
    `${api.repo(repoPath)}/statuses/${check.commit}`,
    {
      state: STATE[check.state],
      context: check.name,
      description: check.title.slice(0, STATUS_DESCRIPTION),
      ...(check.detailsUrl ? { target_url: check.detailsUrl } : {}),
    },
  );
  return { kind: "status", id: String(GtStatus.parse(data).id) };
}
