import { z } from "zod";
import type { ChangeRequest, CheckResult, ForgeComment, ForgeUser } from "../forge-model.ts";

/**
 * The fields of Gitea's objects Cadre reads (its API reference, /api/swagger: User, Repository,
 * Issue, Comment, PullRequest, PullReview, PullReviewComment, CommitStatus), checked at the boundary.
 */
export const GtUser = z.object({ id: z.number(), login: z.string() });
export const GtRepo = z.object({
  full_name: z.string(),
  default_branch: z.string(),
  clone_url: z.string(),
  html_url: z.string(),
  permissions: z.object({ admin: z.boolean(), push: z.boolean(), pull: z.boolean() }).optional(),
});
export const GtComment = z.object({
  id: z.number(),
  body: z.string(),
  user: GtUser,
  html_url: z.string(),
  created_at: z.string(),
});
export const GtIssue = z.object({
  number: z.number(),
  title: z.string(),
  body: z.string(),
  user: GtUser,
  html_url: z.string(),
  created_at: z.string(),
  pull_request: z.object({ merged: z.boolean().optional() }).nullable().optional(),
});
const Branch = z.object({
  ref: z.string(),
  sha: z.string(),
  repo: z.object({ full_name: z.string() }).nullable().optional(),
});
export const GtPull = z.object({
  number: z.number(),
  html_url: z.string(),
  title: z.string(),
  body: z.string(),
  state: z.string(),
  draft: z.boolean().optional(),
  merged: z.boolean(),
  user: GtUser,
  head: Branch,
  base: Branch,
});
export const GtReviewComment = z.object({
  id: z.number(),
  body: z.string(),
  user: GtUser,
  path: z.string(),
  position: z.number(),
  html_url: z.string(),
});
export const GtStatus = z.object({
  id: z.number(),
  sha: z.string().optional(),
  state: z.string(),
  context: z.string(),
  description: z.string(),
  target_url: z.string(),
});

/** Gitea marks a work-in-progress pull request by a title prefix ("WIP:" by default). */
const WIP = /^\s*(wip:|\[wip\])/i;
const FAILED = new Set(["failure", "error"]);

export function toUser(user: z.infer<typeof GtUser>): ForgeUser {
  // Gitea's own actions bot and bot-named accounts never start work.
  return { login: user.login, isBot: user.id < 0 || /\[bot\]$|^gitea-actions$/i.test(user.login) };
}

export function toComment(comment: z.infer<typeof GtComment>): ForgeComment {
  return {
    id: String(comment.id),
    kind: "comment",
    author: toUser(comment.user),
    body: comment.body,
    url: comment.html_url,
    createdAt: comment.created_at,
  };
}

export function issueDescription(issue: z.infer<typeof GtIssue>): ForgeComment {
  return {
    id: "description",
    kind: "description",
    author: toUser(issue.user),
    body: issue.body,
    url: issue.html_url,
    createdAt: issue.created_at,
  };
}

export function toChangeRequest(pull: z.infer<typeof GtPull>): ChangeRequest {
  return {
    number: pull.number,
    url: pull.html_url,
    title: pull.title,
    body: pull.body,
    state: pull.merged ? "merged" : pull.state === "open" ? "open" : "closed",
    draft: pull.draft ?? WIP.test(pull.title),
    author: toUser(pull.user),
    head: { branch: pull.head.ref, commit: pull.head.sha, repoPath: pull.head.repo?.full_name ?? "" },
    base: { branch: pull.base.ref, commit: pull.base.sha },
  };
}

/** A commit status (where Gitea and Forgejo Actions report) as a check. */
export function checkFromStatus(status: z.infer<typeof GtStatus>, sha: string, reporter: string): CheckResult {
  return {
    id: String(status.id),
    name: status.context,
    source: "status",
    commit: sha,
    failed: FAILED.has(status.state),
    conclusion: status.state,
    title: status.description || null,
    summary: status.description || null,
    text: null,
    url: status.target_url || null,
    changeRequests: [],
    reporter,
  };
}
