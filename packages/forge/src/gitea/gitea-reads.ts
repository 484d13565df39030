import { z } from "zod";
import type {
  ChangeRequest,
  Discussion,
  ForgePermission,
  ForgeUser,
  RepositoryInfo,
  ThreadRef,
} from "../forge-model.ts";
import { ForgeError } from "../forge-error.ts";
import type { GiteaApi } from "./gitea-api.ts";
import {
  GtComment,
  GtIssue,
  GtPull,
  GtRepo,
  GtUser,
  issueDescription,
  toChangeRequest,
  toComment,
  toUser,
} from "./gitea-objects.ts";

/** How much of a long discussion goes into a prompt: the latest comments. */
const DISCUSSION_COMMENTS = 50;
/** Gitea's permission names on Cadre's scale ("owner" is the repository's owner). */
const PERMISSIONS: Record<string, ForgePermission> = { owner: "admin", admin: "admin", write: "write", read: "read" };

export async function whoami(api: GiteaApi): Promise<ForgeUser> {
  return toUser(GtUser.parse(await api.get("reading the token's user (GET /user)", "/user")));
}

export async function repository(api: GiteaApi, repoPath: string): Promise<RepositoryInfo> {
  const repo = GtRepo.parse(await api.get(`reading ${repoPath}`, api.repo(repoPath)));
  return {
    defaultBranch: repo.default_branch,
    cloneUrl: repo.clone_url,
    webUrl: repo.html_url,
    canPush: repo.permissions?.push ?? false,
    canAdmin: repo.permissions?.admin ?? false,
  };
}

/** A user's permission on the repository as Gitea answers it; someone who is no collaborator has none. */
export async function permission(api: GiteaApi, repoPath: string, login: string): Promise<ForgePermission> {
  try {
    const data = await api.get(
      `reading ${login}'s permission on ${repoPath}`,
      `${api.repo(repoPath)}/collaborators/${encodeURIComponent(login)}/permission`,
    );
    return PERMISSIONS[z.object({ permission: z.string() }).parse(data).permission] ?? "none";
  } catch (error) {
    if (error instanceof ForgeError && (error.problem === "not_found" || error.problem === "permission")) return "none";
    throw error;
  }
}

export async function discussion(api: GiteaApi, repoPath: string, thread: ThreadRef): Promise<Discussion> {
  const path = `${api.repo(repoPath)}/issues/${thread.number}`;
  const issue = GtIssue.parse(await api.get(`reading #${thread.number} of ${repoPath}`, path));
  const comments = z
    .array(GtComment)
    .parse(await api.get(`reading the comments of #${thread.number}`, `${path}/comments`));
  const description = issueDescription(issue);
  return {
    thread,
    title: issue.title,
    body: description.body,
    author: description.author,
    url: issue.html_url,
    comments: comments.map(toComment).slice(-DISCUSSION_COMMENTS),
  };
}

export async function changeRequest(api: GiteaApi, repoPath: string, number: number): Promise<ChangeRequest> {
  const data = await api.get(`reading pull request #${number} of ${repoPath}`, `${api.repo(repoPath)}/pulls/${number}`);
  return toChangeRequest(GtPull.parse(data));
}

export async function findChangeRequest(
  api: GiteaApi,
  repoPath: string,
  branch: string,
): Promise<ChangeRequest | null> {
  const data = await api.get(
    `looking for a pull request from ${branch}`,
    `${api.repo(repoPath)}/pulls?state=open&limit=50`,
  );
  const found = z
    .array(GtPull)
    .parse(data)
    .find(
      (pull) =>
        pull.head.ref === branch && (pull.head.repo?.full_name ?? repoPath).toLowerCase() === repoPath.toLowerCase(),
    );
  return found ? toChangeRequest(found) : null;
}
