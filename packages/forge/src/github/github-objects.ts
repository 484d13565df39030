import { z } from "zod";
import type { ChangeRequest, CheckResult, ForgeComment, ForgeUser } from "../forge-model.ts";

/** The fields of GitHub's objects Cadre reads, checked where they cross into Cadre. */
export const GhUser = z.object({ login: z.string(), type: z.string().optional() });
export const GhRepo = z.object({ full_name: z.string() });
export const GhComment = z.object({
  id: z.number(),
  body: z.string().nullable().optional(),
  user: GhUser.nullable(),
  html_url: z.string(),
  created_at: z.string(),
  performed_via_github_app: z.object({ slug: z.string() }).nullable().optional(),
});
export const GhReviewComment = GhComment.extend({
  path: z.string(),
  line: z.number().nullable().optional(),
  original_line: z.number().nullable().optional(),
});
export const GhIssue = z.object({
  number: z.number(),
  title: z.string(),
  body: z.string().nullable().optional(),
  user: GhUser.nullable(),
  html_url: z.string(),
  created_at: z.string(),
  pull_request: z.object({ url: z.string().optional() }).nullable().optional(),
});
const GhBranch = z.object({ ref: z.string(), sha: z.string(), repo: GhRepo.nullable().optional() });
export const GhPull = z.object({
  number: z.number(),
  html_url: z.string(),
  title: z.string(),
  body: z.string().nullable().optional(),
  state: z.string(),
  draft: z.boolean().optional(),
  merged: z.boolean().nullable().optional(),
  merged_at: z.string().nullable().optional(),
  user: GhUser.nullable(),
  head: GhBranch,
  base: GhBranch,
});
export const GhCheckRun = z.object({
  id: z.number(),
  name: z.string(),
  head_sha: z.string(),
  status: z.string(),
  conclusion: z.string().nullable(),
  html_url: z.string().nullable().optional(),
  details_url: z.string().nullable().optional(),
  output: z
    .object({
      title: z.string().nullable().optional(),
      summary: z.string().nullable().optional(),
      text: z.string().nullable().optional(),
    })
    .optional(),
  app: z.object({ slug: z.string().optional() }).nullable().optional(),
  pull_requests: z.array(z.object({ number: z.number() })).optional(),
});
export const GhStatus = z.object({
  id: z.number(),
  sha: z.string(),
  state: z.string(),
  context: z.string(),
  description: z.string().nullable().optional(),
  target_url: z.string().nullable().optional(),
});

/** Check conclusions that mean "this failed" (a cancelled or skipped run is not Cadre's to fix). */
const FAILED = new Set(["failure", "timed_out", "error"]);

export function toUser(user: z.infer<typeof GhUser> | null | undefined): ForgeUser {
  const login = user?.login ?? "ghost";
  return { login, isBot: user?.type === "Bot" || login.endsWith("[bot]") };
}

export function toComment(comment: z.infer<typeof GhComment>): ForgeComment {
  return {
    id: String(comment.id),
    kind: "comment",
    author: toUser(comment.user),
    body: comment.body ?? "",
    url: comment.html_url,
    createdAt: comment.created_at,
  };
}

export function toReviewComment(comment: z.infer<typeof GhReviewComment>): ForgeComment {
  const line = comment.line ?? comment.original_line ?? undefined;
  return {
    ...toComment(comment),
    kind: "review_comment",
    file: comment.path,
    ...(line ? { line } : {}),
  };
}

export function issueDescription(issue: z.infer<typeof GhIssue>): ForgeComment {
  return {
    id: "description",
    kind: "description",
    author: toUser(issue.user),
    body: issue.body ?? "",
    url: issue.html_url,
    createdAt: issue.created_at,
  };
}

export function toChangeRequest(pull: z.infer<typeof GhPull>): ChangeRequest {
  const merged = pull.merged === true || Boolean(pull.merged_at);
  return {
    number: pull.number,
    url: pull.html_url,
    title: pull.title,
    body: pull.body ?? "",
    state: merged ? "merged" : pull.state === "open" ? "open" : "closed",
    draft: pull.draft ?? false,
    author: toUser(pull.user),
    head: { branch: pull.head.ref, commit: pull.head.sha, repoPath: pull.head.repo?.full_name ?? "" },
    base: { branch: pull.base.ref, commit: pull.base.sha },
  };
}

export function checkFromRun(run: z.infer<typeof GhCheckRun>): CheckResult {
  const conclusion = run.conclusion ?? run.status;
  return {
    id: String(run.id),
    name: run.name,
    source: "check",
    commit: run.head_sha,
    failed: FAILED.has(conclusion),
    conclusion,
    title: run.output?.title ?? null,
    summary: run.output?.summary ?? null,
    text: run.output?.text ?? null,
    url: run.details_url ?? run.html_url ?? null,
    changeRequests: (run.pull_requests ?? []).map((p) => p.number),
    reporter: run.app?.slug ?? "",
  };
}

export function checkFromStatus(status: z.infer<typeof GhStatus>, reporter: string): CheckResult {
  return {
    id: String(status.id),
    name: status.context,
    source: "status",
    commit: status.sha,
    failed: FAILED.has(status.state),
    conclusion: status.state,
    title: status.description ?? null,
    summary: status.description ?? null,
    text: null,
    url: status.target_url ?? null,
    changeRequests: [],
    reporter,
  };
}
