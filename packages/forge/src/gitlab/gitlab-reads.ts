import { z } from "zod";
import type {
  ChangeRequest,
  Discussion,
  ForgeComment,
  ForgePermission,
  ForgeUser,
  RepositoryInfo,
  ThreadRef,
} from "../forge-model.ts";
import { ForgeError } from "../forge-error.ts";
import type { GitlabContext } from "./gitlab-context.ts";
import {
  ACCESS,
  GlIssue,
  GlMergeRequest,
  GlNote,
  GlProject,
  GlUser,
  permissionOf,
  toChangeRequest,
  toComment,
  toUser,
} from "./gitlab-objects.ts";

/** How much of a long discussion goes into a prompt: the latest comments. */
const DISCUSSION_COMMENTS = 50;

function notFound(error: unknown): boolean {
  return error instanceof ForgeError && error.problem === "not_found";
}

export async function whoami(gl: GitlabContext): Promise<ForgeUser> {
  const data = await gl.call("reading the token's user (GET /user)", () => gl.api.Users.showCurrentUser());
  return toUser(GlUser.parse(data));
}

export async function repository(gl: GitlabContext, repoPath: string): Promise<RepositoryInfo> {
  const project = GlProject.parse(await gl.call(`reading ${repoPath}`, () => gl.api.Projects.show(repoPath)));
  const level = Math.max(
    project.permissions?.project_access?.access_level ?? 0,
    project.permissions?.group_access?.access_level ?? 0,
  );
  return {
    defaultBranch: project.default_branch ?? "main",
    cloneUrl: project.http_url_to_repo,
    webUrl: project.web_url,
    canPush: level >= ACCESS.developer,
    canAdmin: level >= ACCESS.maintainer,
  };
}

/** A user's access level on the project (inherited from groups too); someone who is no member has none. */
export async function permission(gl: GitlabContext, repoPath: string, login: string): Promise<ForgePermission> {
  const users = z
    .array(GlUser)
    .parse(await gl.call(`looking up the user ${login}`, () => gl.api.Users.all({ username: login })));
  const user = users.find((u) => u.username.toLowerCase() === login.toLowerCase());
  if (!user) return "none";
  try {
    const member = await gl.call(`reading ${login}'s access to ${repoPath}`, () =>
      gl.api.ProjectMembers.show(repoPath, user.id, { includeInherited: true }),
    );
    return permissionOf(z.object({ access_level: z.number() }).parse(member).access_level);
  } catch (error) {
    if (notFound(error)) return "none";
    throw error;
  }
}

/** Notes people wrote (GitLab's system notes, "changed the description", are left out), oldest first. */
function peopleNotes(raw: unknown, threadUrl: string): ForgeComment[] {
  return z
    .array(GlNote)
    .parse(raw)
    .filter((note) => !note.system)
    .map((note) => toComment(note, threadUrl))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

export async function discussion(gl: GitlabContext, repoPath: string, thread: ThreadRef): Promise<Discussion> {
  if (thread.kind === "issue") {
    const issue = GlIssue.parse(
      await gl.call(`reading issue #${thread.number} of ${repoPath}`, () =>
        gl.api.Issues.show(thread.number, { projectId: repoPath }),
      ),
    );
    const notes = await gl.call(`reading the notes of #${thread.number}`, () =>
      gl.api.IssueNotes.all(repoPath, thread.number, { perPage: 100 }),
    );
    return {
      thread,
      title: issue.title,
      body: issue.description ?? "",
      author: toUser(issue.author),
      url: issue.web_url,
      comments: peopleNotes(notes, issue.web_url).slice(-DISCUSSION_COMMENTS),
    };
  }
  const mr = GlMergeRequest.parse(
    await gl.call(`reading merge request !${thread.number} of ${repoPath}`, () =>
      gl.api.MergeRequests.show(repoPath, thread.number),
    ),
  );
  const notes = await gl.call(`reading the notes of !${thread.number}`, () =>
    gl.api.MergeRequestNotes.all(repoPath, thread.number, { perPage: 100 }),
  );
  return {
    thread,
    title: mr.title,
    body: mr.description ?? "",
    author: toUser(mr.author),
    url: mr.web_url,
    comments: peopleNotes(notes, mr.web_url).slice(-DISCUSSION_COMMENTS),
  };
}

export async function changeRequest(gl: GitlabContext, repoPath: string, number: number): Promise<ChangeRequest> {
  const data = await gl.call(`reading merge request !${number} of ${repoPath}`, () =>
    gl.api.MergeRequests.show(repoPath, number),
  );
  return toChangeRequest(GlMergeRequest.parse(data), repoPath);
}

export async function findChangeRequest(
  gl: GitlabContext,
  repoPath: string,
  branch: string,
): Promise<ChangeRequest | null> {
  const data = await gl.call(`looking for a merge request from ${branch}`, () =>
    gl.api.MergeRequests.all({ projectId: repoPath, sourceBranch: branch, state: "opened", perPage: 5 }),
  );
  const first = z.array(GlMergeRequest).parse(data)[0];
  return first ? toChangeRequest(first, repoPath) : null;
}
