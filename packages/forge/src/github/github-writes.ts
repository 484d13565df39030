import type { NewChangeRequest } from "../forge-client.ts";
import type { ChangeRequest, ForgeComment, ThreadRef } from "../forge-model.ts";
import { statusOf } from "../forge-error.ts";
import { ownerRepo, type GithubContext } from "./github-context.ts";
import { GhPull, toChangeRequest } from "./github-objects.ts";

/** The events Cadre needs from a repository webhook it creates. */
const WEBHOOK_EVENTS = [
  "issues",
  "issue_comment",
  "pull_request",
  "pull_request_review_comment",
  "check_run",
  "status",
];

export async function openChangeRequest(
  gh: GithubContext,
  repoPath: string,
  request: NewChangeRequest,
): Promise<ChangeRequest> {
  const { data } = await gh.call(`opening a pull request from ${request.head} into ${request.base}`, () =>
    gh.octokit.rest.pulls.create({ ...ownerRepo(repoPath), ...request }),
  );
  return toChangeRequest(GhPull.parse(data));
}

export async function updateChangeRequest(
  gh: GithubContext,
  repoPath: string,
  number: number,
  change: { title?: string; body?: string },
): Promise<void> {
  await gh.call(`updating pull request #${number}`, () =>
    gh.octokit.rest.pulls.update({ ...ownerRepo(repoPath), pull_number: number, ...change }),
  );
}

export async function comment(
  gh: GithubContext,
  repoPath: string,
  thread: ThreadRef,
  body: string,
): Promise<{ id: string; url: string }> {
  const { data } = await gh.call(`commenting on #${thread.number}`, () =>
    gh.octokit.rest.issues.createComment({ ...ownerRepo(repoPath), issue_number: thread.number, body }),
  );
  return { id: String(data.id), url: data.html_url };
}

/** 👀 on the comment (or the issue) that asked for work, as people do on GitHub. */
export async function acknowledge(
  gh: GithubContext,
  repoPath: string,
  thread: ThreadRef,
  comment: ForgeComment,
): Promise<void> {
  const target = ownerRepo(repoPath);
  const content = "eyes" as const;
  await gh.call(`reacting to a comment on #${thread.number}`, async () => {
    if (comment.kind === "description")
      await gh.octokit.rest.reactions.createForIssue({ ...target, issue_number: thread.number, content });
    else if (comment.kind === "review_comment")
      await gh.octokit.rest.reactions.createForPullRequestReviewComment({
        ...target,
        comment_id: Number(comment.id),
        content,
      });
    else await gh.octokit.rest.reactions.createForIssueComment({ ...target, comment_id: Number(comment.id), content });
  });
}

/** Adds Cadre's webhook to the repository unless it has it; "not_allowed" when the token may not. */
export async function ensureWebhook(
  gh: GithubContext,
  repoPath: string,
  url: string,
  secret: string,
): Promise<"created" | "exists" | "not_allowed"> {
  const target = ownerRepo(repoPath);
  if (gh.isApp) return "not_allowed";
  try {
    const hooks = await gh.call(`listing the webhooks of ${repoPath}`, () =>
      gh.octokit.paginate(gh.octokit.rest.repos.listWebhooks, { ...target, per_page: 100 }),
    );
    if (hooks.some((h) => h.config.url === url)) return "exists";
    await gh.call(`adding a webhook to ${repoPath}`, () =>
      gh.octokit.rest.repos.createWebhook({
        ...target,
        name: "web",
        active: true,
        events: WEBHOOK_EVENTS,
        config: { url, content_type: "json", secret, insecure_ssl: "0" },
      }),
    );
    return "created";
  } catch (error) {
    const status = statusOf(error).status;
    if (status === 403 || status === 404) return "not_allowed";
    throw error;
  }
}
