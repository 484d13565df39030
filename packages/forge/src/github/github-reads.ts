import { z } from "zod";
import type {
  ChangeRequest,
  Discussion,
  ForgePermission,
  ForgeUser,
  RepositoryInfo,
  ThreadRef,
} from "../forge-model.ts";
import { statusOf } from "../forge-error.ts";
import { ownerRepo, type GithubContext } from "./github-context.ts";
import {
  GhComment,
  GhIssue,
  GhPull,
  GhReviewComment,
  issueDescription,
  toChangeRequest,
  toComment,
  toReviewComment,
  toUser,
} from "./github-objects.ts";

/** How much of a long discussion goes into a prompt: the latest comments. */
const DISCUSSION_COMMENTS = 50;

const PERMISSIONS: Record<string, ForgePermission> = {
  admin: "admin",
  maintain: "write",
  write: "write",
  triage: "read",
  read: "read",
};

export async function whoami(gh: GithubContext): Promise<ForgeUser> {
  if (gh.appOctokit) {
    const app = gh.appOctokit;
    const { data } = await gh.call("reading the app (GET /app)", () => app.rest.apps.getAuthenticated());
    const slug = z.object({ slug: z.string() }).parse(data).slug;
    return { login: `${slug}[bot]`, isBot: true };
  }
  const { data } = await gh.call("reading the token's user (GET /user)", () =>
    gh.octokit.rest.users.getAuthenticated(),
  );
  return toUser({ login: data.login, type: data.type });
}

export async function repository(gh: GithubContext, repoPath: string): Promise<RepositoryInfo> {
  const { data } = await gh.call(`reading ${repoPath}`, () => gh.octokit.rest.repos.get(ownerRepo(repoPath)));
  return {
    defaultBranch: data.default_branch,
    cloneUrl: data.clone_url,
    webUrl: data.html_url,
    // An installation token's rights come from the app's permissions, not from a collaborator role.
    canPush: gh.isApp || (data.permissions?.push ?? false),
    canAdmin: !gh.isApp && (data.permissions?.admin ?? false),
  };
}

/** A user's permission on the repository, as GitHub answers it; someone who is no collaborator has none. */
export async function permission(gh: GithubContext, repoPath: string, login: string): Promise<ForgePermission> {
  try {
    const { data } = await gh.call(`reading ${login}'s permission on ${repoPath}`, () =>
      gh.octokit.rest.repos.getCollaboratorPermissionLevel({ ...ownerRepo(repoPath), username: login }),
    );
    return PERMISSIONS[data.role_name ?? ""] ?? PERMISSIONS[data.permission] ?? "none";
  } catch (error) {
    if (statusOf(error).status === 404) return "none";
    throw error;
  }
}

export async function discussion(gh: GithubContext, repoPath: string, thread: ThreadRef): Promise<Discussion> {
  const target = { ...ownerRepo(repoPath), issue_number: thread.number };
  const { data } = await gh.call(`reading #${thread.number} of ${repoPath}`, () => gh.octokit.rest.issues.get(target));
  const issue = GhIssue.parse(data);
  const comments = await gh.call(`reading the comments of #${thread.number}`, () =>
    gh.octokit.paginate(gh.octokit.rest.issues.listComments, { ...target, per_page: 100 }),
  );
  const all = z.array(GhComment).parse(comments).map(toComment);
  if (thread.kind === "change_request") {
    const inline = await gh.call(`reading the review comments of #${thread.number}`, () =>
      gh.octokit.paginate(gh.octokit.rest.pulls.listReviewComments, {
        ...ownerRepo(repoPath),
        pull_number: thread.number,
        per_page: 100,
      }),
    );
    all.push(...z.array(GhReviewComment).parse(inline).map(toReviewComment));
    all.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }
  const description = issueDescription(issue);
  return {
    thread,
    title: issue.title,
    body: description.body,
    author: description.author,
    url: issue.html_url,
    comments: all.slice(-DISCUSSION_COMMENTS),
  };
}

export async function changeRequest(gh: GithubContext, repoPath: string, number: number): Promise<ChangeRequest> {
  const { data } = await gh.call(`reading pull request #${number} of ${repoPath}`, () =>
    gh.octokit.rest.pulls.get({ ...ownerRepo(repoPath), pull_number: number }),
  );
  return toChangeRequest(GhPull.parse(data));
}

export async function findChangeRequest(
  gh: GithubContext,
  repoPath: string,
  branch: string,
): Promise<ChangeRequest | null> {
  const { owner, repo } = ownerRepo(repoPath);
  const { data } = await gh.call(`looking for a pull request from ${branch}`, () =>
    gh.octokit.rest.pulls.list({ owner, repo, head: `${owner}:${branch}`, state: "open", per_page: 5 }),
  );
  const first = data[0];
  return first ? toChangeRequest(GhPull.parse(first)) : null;
}
